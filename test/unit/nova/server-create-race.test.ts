// Creates racing for the last room under a server quota ([quota] recheck_quota): every create
// is held at its first count until all of them have passed it, as requests interleave on a
// real database. With the recheck, no more servers are built than the limit allows and the
// others are left ERROR, unbuilt, with Nova's 403 quota fault; without it, all are built.
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../../common/context';
import { ComputeAPI } from '../../../nova-api/compute/api';
import type { NovaDB } from '../../../nova-common/db-api';
import { Instance, Quota } from '../../../nova-common/entities';
import { VM_STATES } from '../../../nova-common/objects';
import type { ComputeAPI as ComputeRPCAPI } from '../../../nova-compute/rpcapi';
import { PROJECT, computeService, memberCtx, openNovaUnit, type NovaUnit } from './business-fixture';

const RACERS = 4;
const LIMIT = 2;

describe('ComputeAPI server creates: racing for the last room (recheck_quota), builds that cannot go out', () => {
  let u: NovaUnit;
  let ds: DataSource;
  let db: NovaDB;
  let built: string[];

  before(async () => {
    u = await openNovaUnit();
    ({ ds, db } = u);
    await computeService(ds);
    await ds.getRepository(Quota).save({ projectId: PROJECT, resource: 'instances', hardLimit: LIMIT });
  });
  after(() => u.stop());
  beforeEach(async () => {
    built = [];
    await ds.getRepository(Instance).clear();
  });

  /** A ComputeAPI whose first count lets every racer through before any of them goes on. */
  function racingApi(recheckQuota: boolean | undefined): ComputeAPI {
    const rpc = { buildAndRunInstance: async (_c: RequestContext, inst: Instance) => { built.push(inst.uuid); } };
    const api = new ComputeAPI({ db, cinder: u.cinder, rpc: rpc as unknown as ComputeRPCAPI, serviceDownTime: 60, maxDiskDevices: -1, recheckQuota });
    const first = api.quotas.serversAllowed.bind(api.quotas);
    let passed = 0;
    let release: () => void = () => undefined;
    const all = new Promise<void>((r) => { release = r; });
    api.quotas.serversAllowed = async (...args) => {
      const n = await first(...args);
      if (++passed === RACERS) release();
      await all;
      return n;
    };
    return api;
  }
  const race = (api: ComputeAPI) => Promise.allSettled(Array.from({ length: RACERS }, (_, i) =>
    api.createServers(memberCtx(), { name: `race${i}`, imageRef: null, flavorRef: '1', metadata: {}, availabilityZone: null })));

  it('with the recheck (the default): none past the limit is built; they are ERROR with the 403 quota fault', async () => {
    const results = await race(racingApi(undefined));
    expect(results.map((r) => r.status)).to.deep.equal(Array(RACERS).fill('fulfilled'));
    const rows = await ds.getRepository(Instance).findBy({ deleted: 0 });
    expect(rows).to.have.length(RACERS);
    const failed = rows.filter((r) => r.vmState === VM_STATES.ERROR);
    expect(built.length).to.be.at.most(LIMIT);
    expect(failed.length + built.length).to.equal(RACERS);
    for (const r of failed) {
      expect(built).to.not.include(r.uuid);
      expect(r).to.include({ taskState: null, faultCode: 403, faultMessage: `Quota exceeded for instances: Requested 1, but already used ${LIMIT} of ${LIMIT} instances` });
    }
  });

  it('with recheck_quota = false: all pass and are built, as in Nova', async () => {
    await race(racingApi(false));
    expect(built).to.have.length(RACERS);
  });

  it('a build cast that cannot go out fails its server and the rest of the create, none left building', async () => {
    const rpc = { buildAndRunInstance: async () => { throw new Error('broker gone'); } };
    const api = new ComputeAPI({ db, cinder: u.cinder, rpc: rpc as unknown as ComputeRPCAPI, serviceDownTime: 60, maxDiskDevices: -1 });
    const r = await api.createServers(memberCtx(), { name: 'lost', imageRef: null, flavorRef: '1', metadata: {}, availabilityZone: null, minCount: 2 })
      .then(() => null, (e: Error) => e.message);
    expect(r).to.equal('broker gone');
    const rows = await ds.getRepository(Instance).findBy({ deleted: 0 });
    expect(rows.map((x) => [x.vmState, x.faultMessage])).to.deep.equal([[VM_STATES.ERROR, 'broker gone'], [VM_STATES.ERROR, 'broker gone']]);
  });
});
