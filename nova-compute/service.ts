// The nova `services` row of this compute host and its heartbeat (report_count++, last_seen_up).
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Service } from '../nova-common/entities';
import { isDuplicateEntry } from '../nova-common/db';

export async function reportState(ds: DataSource, host: string, binary = 'nova-compute', topic = 'compute'): Promise<void> {
  const repo = ds.getRepository(Service);
  const t = new Date();
  const res = await repo.createQueryBuilder().update()
    .set({ reportCount: () => 'report_count + 1', lastSeenUp: t, updatedAt: t })
    .where({ host, binary, deleted: 0 }).execute();
  if ((res.affected ?? 0) > 0) return;
  try {
    await repo.insert({ uuid: randomUUID(), host, binary, topic, reportCount: 1, disabled: false, forcedDown: false,
      lastSeenUp: t, createdAt: t, updatedAt: t, deleted: 0, version: 0 });
  } catch (e) {
    // Another start of the same host won the insert; the next beat updates it.
    if (!isDuplicateEntry(e)) throw e;
  }
}
