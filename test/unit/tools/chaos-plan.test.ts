// The chaos campaign's plan (scripts/chaos/plan.ts) is a function of (seed, round): a round
// replays exactly from its seed, and every fault and operation stays within the bounds.
import { expect } from 'chai';
import { planRound, stepsOf, COMPUTE_DOWN_STEPS, FLOWS, SERVICES, SERVICE_FAULTS } from '../../../scripts/chaos/plan';
import { ATTACH_STEPS, ATTACH_STEPS_V3, DETACH_STEPS, DETACH_STEPS_V3, EXTEND_STEPS, LOCAL_DELETE_STEPS, REBUILD_STEPS, SWAP_STEPS } from '../../system/faults/fault-cluster';

const OPTS = { serverFaults: true, workers: 3, opsPerWorker: 50 };

describe('chaos plan', () => {
  it('the same seed and round give the same faults and operations; another round does not', () => {
    expect(planRound('s1', 7, OPTS)).to.deep.equal(planRound('s1', 7, OPTS));
    expect(planRound('s1', 8, OPTS)).to.not.deep.equal(planRound('s1', 7, OPTS));
    expect(planRound('s2', 7, OPTS)).to.not.deep.equal(planRound('s1', 7, OPTS));
  });

  it('faults fall inside the load, in order; kills name a service and a step it runs', () => {
    for (let round = 1; round <= 200; round++) {
      const p = planRound('bounds', round, OPTS);
      expect(p.faults.length).to.be.within(1, 3);
      expect(p.faults.map((f) => f.atMs)).to.deep.equal(p.faults.map((f) => f.atMs).sort((a, b) => a - b));
      for (const f of p.faults) {
        expect(f.atMs).to.be.within(1000, p.loadMs - 2000);
        if (f.kind === 'kill') {
          expect(SERVICES).to.include(f.service);
          if (f.point) expect(stepsOf(f.flow!).some(([svc, point]) => svc === f.service && point === f.point)).to.equal(true);
        }
        if (f.kind === 'compute-down') {
          expect(f).to.include({ service: 'nova-compute' }).and.to.have.property('deletes').within(1, 2);
          if (f.point) expect(COMPUTE_DOWN_STEPS).to.include(f.point);
        }
        if (f.kind === 'db-outage') expect(f.downMs).to.equal(10_000);
      }
      expect(p.ops.attachments).to.have.length(3);
      expect(p.ops.legacy[2]).to.have.length(50);
    }
  });

  it('every step the fault suite kills at can be armed, and is in some round', () => {
    const suite = [...ATTACH_STEPS, ...ATTACH_STEPS_V3, ...DETACH_STEPS, ...DETACH_STEPS_V3, ...SWAP_STEPS, ...EXTEND_STEPS, ...REBUILD_STEPS, ...LOCAL_DELETE_STEPS].map(([, point]) => point);
    const armable = new Set([...FLOWS.flatMap((flow) => stepsOf(flow).map(([, point]) => point)), ...COMPUTE_DOWN_STEPS]);
    expect(suite.filter((p) => !armable.has(p))).to.deep.equal([]);
    const armed = new Set<string>();
    for (let round = 1; round <= 2000; round++) for (const f of planRound('cover', round, OPTS).faults) if (f.point) armed.add(f.point);
    expect(suite.filter((p) => !armed.has(p))).to.deep.equal([]);
  });

  it('every fault kind comes up, a compute-down also without our own servers', () => {
    const kinds = (serverFaults: boolean): string[] =>
      [...new Set(Array.from({ length: 200 }, (_, i) => planRound('kinds', i + 1, { ...OPTS, serverFaults }).faults.map((f) => f.kind)).flat())].sort();
    expect(kinds(true)).to.deep.equal(['broker-kill', 'broker-stop', 'compute-down', 'db-outage', 'kill']);
    expect(kinds(false)).to.deep.equal(['compute-down', 'kill']);
  });

  it('without our own servers, every fault is one of a service (a kill, or a compute kept down)', () => {
    for (let round = 1; round <= 50; round++) {
      expect(planRound('kills', round, { ...OPTS, serverFaults: false }).faults.every((f) => SERVICE_FAULTS.includes(f.kind))).to.equal(true);
    }
  });
});
