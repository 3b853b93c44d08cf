// The cinder `services` row of one backend (host@backend) and its heartbeat: updated_at = now,
// report_count++, capabilities = the driver's last stats (read by cinder-api to schedule).
import { randomUUID } from 'node:crypto';
import type { CinderDB } from '../cinder-common/db-api';
import { VOLUME_RPC_API_VERSION, VOLUME_TOPIC } from './rpcapi';

const BINARY = 'cinder-volume';

export async function reportState(db: CinderDB, host: string, az: string, capabilities: Record<string, unknown>): Promise<void> {
  const t = new Date();
  const caps = JSON.stringify(capabilities);
  const res = await db.services.createQueryBuilder().update()
    .set({ reportCount: () => 'report_count + 1', updatedAt: t, capabilities: caps, availabilityZone: az })
    .where({ host, binary: BINARY, deleted: false }).execute();
  if ((res.affected ?? 0) > 0) return;
  await db.services.insert({
    uuid: randomUUID(), host, binary: BINARY, topic: VOLUME_TOPIC, reportCount: 1, disabled: false, availabilityZone: az,
    rpcCurrentVersion: VOLUME_RPC_API_VERSION, objectCurrentVersion: '1.8', replicationStatus: 'disabled', frozen: false,
    capabilities: caps, createdAt: t, updatedAt: t, deleted: false,
  });
}
