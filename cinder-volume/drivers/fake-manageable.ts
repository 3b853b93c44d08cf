// What the fake driver holds of one kind of object (volumes or snapshots: id → size) and what an
// unmanage left of it (backend name → size): the manage and unmanage steps both kinds share,
// refusing what tgt's files would refuse, so a reference fails the same on both backends.
import { ManageExistingInvalidReference } from '../../cinder-common/exception';

export function invalidRef(ref: unknown, reason: string): ManageExistingInvalidReference {
  return new ManageExistingInvalidReference({ existing_ref: JSON.stringify(ref), reason });
}

export class Manageable {
  constructor(private readonly held: Map<string, number>, private readonly loose: Map<string, number>, private readonly kind: 'volume' | 'snapshot') {}

  private get label(): string { return this.kind === 'volume' ? 'Volume' : 'Snapshot'; }

  /** The name `ref` gives: a plain name, of a snapshot for snapshots, never of one for volumes. */
  private nameOf(ref: unknown): string {
    const name = (ref as Record<string, unknown> | null)?.['source-name'];
    if (typeof ref !== 'object' || typeof name !== 'string') throw invalidRef(ref, 'Reference must contain source-name element.');
    if (!name || name.startsWith('.') || /[/\0]/.test(name) || name.startsWith('snapshot-') !== (this.kind === 'snapshot')) {
      throw invalidRef(ref, `Reference must name a ${this.kind} on this backend.`);
    }
    return name;
  }

  /** The id whose own object `name` is, when held. */
  private heldId(name: string): string | null {
    const id = name.startsWith(`${this.kind}-`) ? name.slice(this.kind.length + 1) : null;
    return id !== null && this.held.has(id) ? id : null;
  }

  private missing(ref: unknown): ManageExistingInvalidReference {
    return invalidRef(ref, this.kind === 'volume' ? 'Specified logical volume does not exist.' : 'Specified snapshot does not exist.');
  }

  /** manage_existing(_snapshot)_get_size. */
  size(ref: unknown): number {
    const name = this.nameOf(ref);
    if (this.heldId(name) !== null) throw invalidRef(ref, `${this.label} is already managed.`);
    const size = this.loose.get(name);
    if (size === undefined) throw this.missing(ref);
    return Math.ceil(size);
  }

  /** manage_existing(_snapshot): the loose object becomes `id`'s; a redo (already `id`'s) succeeds. */
  take(id: string, ref: unknown): void {
    const name = this.nameOf(ref);
    const owner = this.heldId(name);
    if (owner !== null && owner !== id) throw invalidRef(ref, `${this.label} is already managed.`);
    const size = this.loose.get(name);
    if (size === undefined) {
      if (this.held.has(id)) return;
      throw this.missing(ref);
    }
    // As a rename onto an existing name: never lose what `id` already has.
    if (this.held.has(id)) throw invalidRef(ref, `${this.label} ${this.kind}-${id} already exists on the backend.`);
    this.loose.delete(name);
    this.held.set(id, size);
  }

  /** unmanage(_snapshot): `id`'s object stays under its name; a redo (not held) is no error. */
  release(id: string): void {
    const size = this.held.get(id);
    if (size !== undefined) this.loose.set(`${this.kind}-${id}`, size);
    this.held.delete(id);
  }
}
