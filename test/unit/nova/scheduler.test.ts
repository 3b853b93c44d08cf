// The scheduler's pure parts: Nova's "zone:host:node" parsing and the spreading weigher.
import { expect } from 'chai';
import { parseAvailabilityZone, weighHosts } from '../../../nova-api/compute/scheduler';
import { InvalidInput } from '../../../nova-common/exception';

describe('nova scheduler: availability_zone parsing', () => {
  it('splits zone, host and node as nova.compute.api.parse_availability_zone does', () => {
    const none = { zone: null, forcedHost: null, forcedNode: null };
    expect(parseAvailabilityZone(null)).to.deep.equal(none);
    expect(parseAvailabilityZone('')).to.deep.equal(none);
    expect(parseAvailabilityZone('nova')).to.deep.equal({ ...none, zone: 'nova' });
    expect(parseAvailabilityZone('nova:compute1')).to.deep.equal({ zone: 'nova', forcedHost: 'compute1', forcedNode: null });
    expect(parseAvailabilityZone('nova::node1')).to.deep.equal({ zone: 'nova', forcedHost: null, forcedNode: 'node1' });
    expect(parseAvailabilityZone('nova:compute1:node1')).to.deep.equal({ zone: 'nova', forcedHost: 'compute1', forcedNode: 'node1' });
    expect(parseAvailabilityZone(':compute1')).to.deep.equal({ zone: null, forcedHost: 'compute1', forcedNode: null });
  });

  it('rejects more than two colons with "Unable to parse availability_zone"', () => {
    expect(() => parseAvailabilityZone('a:b:c:d')).to.throw(InvalidInput, 'Invalid input received: Unable to parse availability_zone');
  });
});

describe('nova scheduler: weighing hosts', () => {
  it('picks the host with the fewest instances; ties go to the first name', () => {
    expect(weighHosts([], new Map())).to.equal(null);
    expect(weighHosts(['compute2', 'compute1'], new Map())).to.equal('compute1');
    expect(weighHosts(['compute1', 'compute2'], new Map([['compute1', 1]]))).to.equal('compute2');
    expect(weighHosts(['compute1', 'compute2', 'compute3'], new Map([['compute1', 2], ['compute2', 3], ['compute3', 2]]))).to.equal('compute1');
    // Hosts that are not candidates (down, filtered) do not matter, however empty.
    expect(weighHosts(['compute2'], new Map([['compute2', 9], ['compute1', 0]]))).to.equal('compute2');
  });
});
