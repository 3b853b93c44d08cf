// Which Cinder flow nova-api starts an attach with: the v3 attachments API when Cinder serves
// microversion 3.44 (attachment_complete), as Nova does since Queens; the seed's legacy
// os-reserve flow when [workarounds] use_legacy_volume_attach_flow is set or Cinder is older.
// The compute follows whatever the BDM row says (attachment_id or not), so a volume always
// detaches by the flow that attached it, whatever this option says by then.
import type { CinderAPI, CinderCaller } from './cinder';

/** How long a "Cinder is too old" answer is trusted before asking again (an upgrade may come). */
const NEGATIVE_TTL_MS = 60_000;

function atLeast(v: string, min: string): boolean {
  const [a, b] = v.split('.').map(Number);
  const [c, d] = min.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

export class AttachFlowChooser {
  private known: { attachments: boolean; at: number } | null = null;

  constructor(private readonly cinder: CinderAPI, private readonly legacy: boolean) {}

  async useAttachments(caller: CinderCaller): Promise<boolean> {
    if (this.legacy) return false;
    const k = this.known;
    if (k && (k.attachments || Date.now() - k.at < NEGATIVE_TTL_MS)) return k.attachments;
    const max = await this.cinder.maxMicroversion(caller);
    this.known = { attachments: !!max && atLeast(max, '3.44'), at: Date.now() };
    return this.known.attachments;
  }
}
