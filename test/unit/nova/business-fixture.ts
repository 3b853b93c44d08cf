// What the unit tests of nova's business rules (ComputeAPI, VolumeOps) run on: the nova schema
// in an in-memory SQLite, the Cinder stand-in (test/functional/nova/cinder-fixture.ts) behind the
// real Cinder client, and a server row on a compute whose heartbeat is fresh.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RequestContext } from '../../../common/context';
import { migrateDatabase } from '../../../common/db';
import { openNovaDatabase } from '../../../nova-common/db';
import { NovaDB } from '../../../nova-common/db-api';
import { Instance, Service } from '../../../nova-common/entities';
import { VM_STATES } from '../../../nova-common/objects';
import { CinderAPI, type CinderCaller } from '../../../nova-common/volume/cinder';
import { CinderFixture } from '../../functional/nova/cinder-fixture';

export const PROJECT = 'p1';
export const HOST = 'compute1';

export interface NovaUnit {
  ds: DataSource;
  db: NovaDB;
  fixture: CinderFixture;
  cinder: CinderAPI;
  stop(): Promise<void>;
}

export async function openNovaUnit(): Promise<NovaUnit> {
  const ds = await openNovaDatabase('sqlite://:memory:');
  await migrateDatabase(ds);
  const fixture = new CinderFixture();
  const url = await fixture.start();
  const cinder = new CinderAPI(`${url}/v3/%(project_id)s`, 5);
  return { ds, db: new NovaDB(ds), fixture, cinder, stop: async () => { await fixture.stop(); await ds.destroy(); } };
}

/** A member of PROJECT (admin: the admin role too). */
export function memberCtx(admin = false): RequestContext {
  return new RequestContext({ userId: 'u1', projectId: PROJECT, roles: admin ? ['admin', 'member', 'reader'] : ['member', 'reader'] });
}

export const callerOf = (ctx: RequestContext): CinderCaller => ({ projectId: ctx.projectId, authToken: null, requestId: ctx.requestId });

/** The compute's services row; `ageSec` old (past service_down_time it counts as down). */
export async function computeService(ds: DataSource, ageSec = 0): Promise<void> {
  const repo = ds.getRepository(Service);
  const seen = new Date(Date.now() - ageSec * 1000);
  await repo.save(repo.create({ host: HOST, binary: 'nova-compute', topic: 'compute', lastSeenUp: seen, createdAt: seen, deleted: 0, disabled: false, forcedDown: false }));
}

/** An active, launched server of PROJECT on HOST, with whatever the test changes. */
export async function makeServer(ds: DataSource, values: Partial<Instance> = {}): Promise<Instance> {
  const repo = ds.getRepository(Instance);
  const t = new Date();
  return repo.save(repo.create({
    uuid: randomUUID(), displayName: 'vm', hostname: 'vm', projectId: PROJECT, userId: 'u1', vmState: VM_STATES.ACTIVE, taskState: null,
    powerState: 1, locked: false, host: HOST, node: HOST, rootDeviceName: '/dev/vda', launchedAt: t, createdAt: t, updatedAt: t, deleted: 0,
    metadataJson: '{}', ...values,
  }));
}
