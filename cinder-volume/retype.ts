// The volume manager's retype (cinder/volume/manager.py retype), run under the volume's lock as
// the reconciler's undo of a lost one is. Types whose extra specs, QoS and encryption are the
// same need nothing from the backend; otherwise the driver changes the volume in place when the
// target is this backend and the encryption stays. The new type, the status and both sides' quota commit land in one transaction;
// a retype that cannot be done in place (no migration is served) goes back, its reservations
// rolled back in the same transaction. A late or repeated cast finds the volume no longer
// 'retyping' and only rolls back what is left.
import { getLogger } from '../common/log';
import { pausePoint } from '../common/fault/pause';
import type { CinderDB } from '../cinder-common/db-api';
import type { Volume } from '../cinder-common/entities';
import { serviceHostOf } from '../cinder-common/objects';
import { QuotaDB } from '../cinder-common/quota-db';
import { TypeEncryptionDB } from '../cinder-common/type-encryption-db';
import type { VolumeDriver } from './drivers/driver';

const LOG = getLogger('cinder-volume.manager');

type Args = Record<string, unknown>;
const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((r): r is string => typeof r === 'string') : []);

export interface RetypeDeps { host: string; db: CinderDB; driver: VolumeDriver }

/** volume_types_diff's verdict: whether the extra specs and QoS specs are the same, and whether the encryption differs. */
async function typesDiff(db: CinderDB, a: string, b: string): Promise<{ equal: boolean; encryption: boolean }> {
  const [ta, tb] = await Promise.all([db.typeGet(a), db.typeGet(b)]);
  const specs = await db.typeExtraSpecsGet([a, b]);
  const [sa, sb] = [specs.get(a) ?? {}, specs.get(b) ?? {}];
  const keys = new Set([...Object.keys(sa), ...Object.keys(sb)]);
  const encryption = await new TypeEncryptionDB(db).changed(a, b);
  const equal = !encryption && (ta?.qosSpecsId ?? null) === (tb?.qosSpecsId ?? null) && [...keys].every((k) => k in sa && k in sb && sa[k] === sb[k]);
  return { equal, encryption };
}

/** Returns the volume as retyped (for the usage notification), or null when nothing changed. */
export async function retypeLocked(d: RetypeDeps, v: Volume, args: Args, log: { context: object }): Promise<Volume | null> {
  const newTypeId = typeof args.new_type_id === 'string' ? args.new_type_id : '';
  const reservations = [...strings(args.reservations), ...strings(args.old_reservations)];
  const quota = new QuotaDB(d.db.ds);
  if (v.status !== 'retyping' || !newTypeId) {
    LOG.warning(`Retype volume ${v.id}: it is '${v.status}', no longer retyping; nothing done`, log);
    await quota.rollback(reservations);
    return null;
  }
  const target = (args.host ?? {}) as { host?: unknown };
  const ours = typeof target.host === 'string' && serviceHostOf(target.host) === d.host;
  const diff = await typesDiff(d.db, v.volumeTypeId, newTypeId);
  let retyped = diff.equal;
  // A change of encryption needs the data re-encrypted: a migration, never the driver's retype.
  if (!retyped && !diff.encryption && ours && d.driver.retype) {
    const type = await d.db.typeGet(newTypeId);
    try {
      retyped = !!type && await d.driver.retype(v, type);
    } catch (e) {
      LOG.exception(`Volume ${v.id}: driver error when trying to retype, falling back to generic mechanism.`, e, log);
    }
  }
  await pausePoint('cinder-volume.retype.after-driver');
  const back = v.previousStatus === 'in-use' ? 'in-use' : 'available';
  if (!retyped) {
    const why = args.migration_policy === 'on-demand' ? 'Retype requires migration, and volume migration is not supported.' : 'Retype requires migration but is not allowed.';
    LOG.error(`Volume ${v.id}: ${why}`, log);
    await quota.tx(async (m) => {
      if (await d.db.volumeConditionalUpdate(v.id, { status: 'retyping' }, { status: back }, m)) await quota.rollbackIn(m, reservations);
    }, `failed retype of ${v.id}`);
    return null;
  }
  const specs = (await d.db.typeExtraSpecsGet([newTypeId])).get(newTypeId) ?? {};
  const multiattach = specs.multiattach === '<is> True';
  const done = await quota.withCommit(reservations, (m) => d.db.volumeConditionalUpdate(v.id, { status: 'retyping' },
    { status: back, volumeTypeId: newTypeId, multiattach }, m), (ok) => ok);
  if (!done) return null;
  LOG.info(`Volume ${v.id}: retyped successfully.`, log);
  return { ...v, status: back, volumeTypeId: newTypeId, multiattach };
}
