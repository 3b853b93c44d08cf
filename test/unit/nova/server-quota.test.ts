// serversAllowed: Nova's check_num_instances_quota arithmetic (compute/utils.py), case by case:
// what fits, how a multiple create shrinks to the room left, and the TooManyInstances text.
import { expect } from 'chai';
import { portsAllow, PORTS_PER_CREATE, recheckServers, serversAllowed, type Counted } from '../../../nova-api/compute/server-quota';

const LIMITS: Counted = { instances: 10, cores: 20, ram: 51200 };
const NONE: Counted = { instances: 0, cores: 0, ram: 0 };
const TINY = { vcpus: 1, ram: 512 };
const MEDIUM = { vcpus: 2, ram: 4096 };

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect((e as Error).constructor.name).to.equal('TooManyInstances');
    return (e as Error).message;
  }
  throw new Error('not refused');
};

describe('nova server quota (check_num_instances_quota)', () => {
  it('lets through what fits', () => {
    expect(serversAllowed(LIMITS, NONE, TINY, 1, 1)).to.equal(1);
    expect(serversAllowed(LIMITS, { instances: 9, cores: 9, ram: 4608 }, TINY, 1, 1)).to.equal(1);
    expect(serversAllowed({ instances: -1, cores: -1, ram: -1 }, { instances: 500, cores: 900, ram: 1e7 }, MEDIUM, 3, 3)).to.equal(3);
  });

  it('refuses a single create over any limit, naming each resource over', () => {
    expect(refusal(() => serversAllowed(LIMITS, { instances: 10, cores: 10, ram: 5120 }, TINY, 1, 1)))
      .to.equal('Quota exceeded for instances: Requested 1, but already used 10 of 10 instances');
    expect(refusal(() => serversAllowed(LIMITS, { instances: 2, cores: 19, ram: 2048 }, MEDIUM, 1, 1)))
      .to.equal('Quota exceeded for cores: Requested 2, but already used 19 of 20 cores');
    expect(refusal(() => serversAllowed(LIMITS, { instances: 3, cores: 19, ram: 50000 }, MEDIUM, 1, 1)))
      .to.equal('Quota exceeded for cores, ram: Requested 2, 4096, but already used 19, 50000 of 20, 51200 cores, ram');
  });

  it('shrinks a multiple create to the room left, down to min_count', () => {
    expect(serversAllowed(LIMITS, { instances: 7, cores: 7, ram: 3584 }, TINY, 1, 5)).to.equal(3);
    // Cores leave room for two medium servers though instances leave three.
    expect(serversAllowed(LIMITS, { instances: 7, cores: 16, ram: 0 }, MEDIUM, 1, 5)).to.equal(2);
    // Unlimited cores follow the instances' room.
    expect(serversAllowed({ instances: 10, cores: -1, ram: -1 }, { instances: 8, cores: 100, ram: 0 }, MEDIUM, 1, 4)).to.equal(2);
    expect(refusal(() => serversAllowed(LIMITS, { instances: 7, cores: 7, ram: 3584 }, TINY, 4, 5)))
      .to.equal('Quota exceeded for instances: Requested 4-5, but already used 7 of 10 instances');
    // Cores already past their limit (forced lower) and a flavor with none: refused, not retried for ever.
    expect(refusal(() => serversAllowed(LIMITS, { instances: 9, cores: 25, ram: 0 }, { vcpus: 0, ram: 0 }, 1, 1)))
      .to.equal('Quota exceeded for cores: Requested 0, but already used 25 of 20 cores');
    expect(refusal(() => serversAllowed(LIMITS, NONE, TINY, 11, 11)))
      .to.equal('Quota exceeded for instances: Requested 11, but already used 0 of 10 instances');
  });

  it('the recheck (recheck_quota): passes at the limit, refuses past it with the limit shown as used', () => {
    expect(recheckServers(LIMITS, { instances: 10, cores: 20, ram: 51200 }, TINY, 1)).to.equal(undefined);
    expect(recheckServers({ instances: -1, cores: -1, ram: -1 }, { instances: 90, cores: 90, ram: 1e6 }, TINY, 5)).to.equal(undefined);
    expect(refusal(() => recheckServers(LIMITS, { instances: 11, cores: 11, ram: 5632 }, TINY, 1)))
      .to.equal('Quota exceeded for instances: Requested 1, but already used 10 of 10 instances');
    expect(refusal(() => recheckServers(LIMITS, { instances: 10, cores: 22, ram: 53248 }, MEDIUM, 2)))
      .to.equal('Quota exceeded for cores, ram: Requested 4, 8192, but already used 20, 51200 of 20, 51200 cores, ram');
  });

  it("bounds one create by Neutron's default port quota: max_count shrinks, min_count over it is PortLimitExceeded", () => {
    expect(PORTS_PER_CREATE).to.equal(500);
    expect(portsAllow(1, 1)).to.equal(1);
    expect(portsAllow(2, 500)).to.equal(500);
    expect(portsAllow(1, 2147483647)).to.equal(500);
    expect(portsAllow(500, 2147483647)).to.equal(500);
    for (const min of [501, 2147483647]) {
      const e = (() => { try { portsAllow(min, min); } catch (x) { return x as Error & { code: number }; } return null; })();
      expect(e?.constructor.name).to.equal('PortLimitExceeded');
      expect([e?.message, e?.code]).to.deep.equal(['Maximum number of ports exceeded', 403]);
    }
  });
});
