// os:scheduler_hints: Nova's _hints schema and the lists of strings RequestSpec keeps (2.100 shows them).
import { expect } from 'chai';
import { APIVersion, HTTPFault, validateBody } from '../../../common/api';
import { isUuidLike } from '../../../nova-api/schemas/parameter-types';
import { storedHints } from '../../../nova-api/schemas/scheduler-hints';
import { createServerBody } from '../../../nova-api/schemas/servers';

const U = 'b5ce6d0f-e7db-41cb-a5f1-5c47454248c1';
/** The hints under `key` of a create body: validated with it, then kept as Nova keeps them. */
const parseSchedulerHints = (key: 'os:scheduler_hints', hints: unknown) =>
  storedHints(validateBody(createServerBody(APIVersion.parse('2.1')), { server: { name: 'n', flavorRef: '1' }, [key]: hints }, null)[key]);
const refused = (hints: unknown): string => {
  try {
    parseSchedulerHints('os:scheduler_hints', hints);
  } catch (e) {
    expect(e).to.be.instanceOf(HTTPFault);
    expect((e as HTTPFault).code).to.equal(400);
    return (e as HTTPFault).message;
  }
  throw new Error(`accepted ${JSON.stringify(hints)}`);
};

describe('nova-api scheduler hints', () => {
  it('is_uuid_like: dashes, braces, urn:uuid: and case do not matter; 32 hex digits do', () => {
    for (const s of [U, U.replace(/-/g, ''), `{${U}}`, `urn:uuid:${U}`, U.toUpperCase()]) expect(isUuidLike(s), s).to.equal(true);
    for (const s of ['', 'abc', `${U}0`, U.replace('b', 'g'), `+${U.slice(1)}`]) expect(isUuidLike(s), s).to.equal(false);
  });

  it('keeps each hint as a list of strings (str() of numbers and booleans), drops _nova* keys, absent: {}', () => {
    expect(parseSchedulerHints('os:scheduler_hints', undefined)).to.deep.equal({});
    expect(parseSchedulerHints('os:scheduler_hints', { group: U, different_host: [U, U], n: 1.5, b: false, l: ['a', 2], _nova_x: 'y', _novaz: 1 }))
      .to.deep.equal({ group: [U], different_host: [U, U], n: ['1.5'], b: ['False'], l: ['a', '2'] });
  });

  it('checks the typed hints in the schema\'s order and reports the first failure', () => {
    expect(refused({ cidr: 'x', group: 'y' })).to.equal("Invalid input for field/attribute group. Value: y. 'y' is not valid under any of the given schemas");
    expect(refused({ group: [U, 'y'] })).to.match(/^Invalid input for field\/attribute group\. Value: \[.*'y'\]\. .* is not valid under any of the given schemas$/);
    expect(refused({ different_cell: ['a', 1] })).to.equal("Invalid input for field/attribute 1. Value: 1. 1 is not of type 'string'");
    expect(refused({ query: 5 })).to.equal("Invalid input for field/attribute query. Value: 5. 5 is not of type 'string', 'object'");
    expect(refused({ target_cell: ' cell' })).to.equal("An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.");
    expect(refused({ target_cell: '' })).to.equal("Invalid input for field/attribute target_cell. Value: . '' is too short");
    expect(refused({ build_near_host_ip: 1 })).to.equal("Invalid input for field/attribute build_near_host_ip. Value: 1. 1 is not of type 'string'");
    expect(refused([])).to.equal("Invalid input for field/attribute os:scheduler_hints. Value: []. [] is not of type 'object'");
    expect(refused({ x: null })).to.equal('A string is required in field scheduler_hints["x"][0], not a NoneType');
    expect(refused({ x: ['a', ['b']] })).to.equal('A string is required in field scheduler_hints["x"][1], not a list');
    expect(parseSchedulerHints('os:scheduler_hints', { build_near_host_ip: '::1', cidr: '/24', target_cell: 'cell 1', same_host: 'anything' }))
      .to.deep.equal({ build_near_host_ip: ['::1'], cidr: ['/24'], target_cell: ['cell 1'], same_host: ['anything'] });
  });
});
