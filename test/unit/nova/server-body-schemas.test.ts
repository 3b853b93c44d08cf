// The Nova server bodies as DTOs (schemas/servers.py, server_metadata.py,
// server_external_events.py): the messages jsonschema prints for them, at the microversion
// whose schema applies, and the rules Nova checks after the schema.
import { expect } from 'chai';
import { APIVersion, HTTPFault, validateBody } from '../../../common/api';
import { createServerRequest } from '../../../nova-api/schemas/server-create-extras';
import { externalEventsBody } from '../../../nova-api/schemas/server-external-events';
import { MetaBody, MetadataBody } from '../../../nova-api/schemas/server-metadata';
import { createServerBody, updateServerBody } from '../../../nova-api/schemas/servers';

const v = (s: string) => APIVersion.parse(s);
const U = 'b5ce6d0f-e7db-41cb-a5f1-5c47454248c1';
const KEY = "'^[a-zA-Z0-9-_:. ]{1,255}$'";

function refused(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(HTTPFault);
    expect((e as HTTPFault).code).to.equal(400);
    return (e as HTTPFault).message;
  }
  throw new Error('accepted');
}
const create = (server: Record<string, unknown>, ver = '2.1', top: Record<string, unknown> = {}) =>
  createServerRequest(validateBody(createServerBody(v(ver)), { server: { name: 'n', flavorRef: '1', ...server }, ...top }, null));
const createFault = (server: Record<string, unknown>, ver = '2.1', top: Record<string, unknown> = {}) => refused(() => create(server, ver, top));

describe('nova-api server body DTOs', () => {
  it('create: the body and the server object report as jsonschema does, in its order', () => {
    expect(refused(() => validateBody(createServerBody(v('2.1')), [], null))).to.equal("[] is not of type 'object'");
    expect(refused(() => validateBody(createServerBody(v('2.1')), {}, null))).to.equal("'server' is a required property");
    expect(refused(() => validateBody(createServerBody(v('2.1')), { server: 5 }, null)))
      .to.equal("Invalid input for field/attribute server. Value: 5. 5 is not of type 'object'");
    expect(createFault({}, '2.1', { foo: 1 })).to.equal("Additional properties are not allowed ('foo' was unexpected)");
    expect(refused(() => validateBody(createServerBody(v('2.1')), { server: { flavorRef: '1' } }, null)))
      .to.equal("Invalid input for field/attribute server. Value: {'flavorRef': '1'}. 'name' is a required property");
    // A property's error comes before the object's required and additionalProperties.
    expect(refused(() => validateBody(createServerBody(v('2.1')), { server: { x: 1, flavorRef: [] } }, null)))
      .to.equal("Invalid input for field/attribute flavorRef. Value: []. [] is not of type 'string', 'integer'");
    expect(createFault({ name: ' padded' })).to.equal(
      "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.");
    // valid_name_regex's class ends at U+FFFE, and Python's '$' passes one final newline.
    for (const bad of ['a\u{1F600}b', 'a\u00a0', 'a\n\n', 'a\u200bb', 'a\uffff']) expect(createFault({ name: bad }), bad).to.match(/^An invalid 'name' value/);
    for (const ok of ['a\u00a0b', 'a\n', 'ü \ufffd']) expect(create({ name: ok }).name, ok).to.equal(ok);
    expect(createFault({ imageRef: 'img' })).to.equal("Invalid input for field/attribute imageRef. Value: img. 'img' is not valid under any of the given schemas");
    expect(create({ imageRef: '' }).imageRef).to.equal(null);
  });

  it('create: metadata keys, counts, block devices and personality as Nova words them', () => {
    expect(createFault({ metadata: { 'a/b': 'x', c: 'd' } }))
      .to.equal(`Invalid input for field/attribute metadata. Value: {'a/b': 'x', 'c': 'd'}. 'a/b' does not match any of the regexes: ${KEY}`);
    expect(createFault({ metadata: { k: 5 } })).to.equal("Invalid input for field/attribute k. Value: 5. 5 is not of type 'string'");
    expect(createFault({ min_count: '0' })).to.equal('Invalid input for field/attribute min_count. Value: 0. 0 is less than the minimum of 1');
    expect(createFault({ min_count: 'x' })).to.equal("Invalid input for field/attribute min_count. Value: x. 'x' does not match '^[0-9]*$'");
    expect(createFault({ min_count: 3, max_count: '2' })).to.equal('min_count must be <= max_count');
    expect(create({ min_count: '2', max_count: 3 })).to.include({ minCount: 2, maxCount: 3 });
    expect(createFault({ block_device_mapping_v2: [{ boot_index: 0, uuid: U }, { boot_index: 'x' }] }))
      .to.equal("Invalid input for field/attribute boot_index. Value: x. 'x' does not match '^-?[0-9]+$'");
    expect(createFault({ block_device_mapping_v2: [{ uuid: U, tag: 't' }] }, '2.33'))
      .to.equal(`Invalid input for field/attribute 0. Value: {'uuid': '${U}', 'tag': 't'}. Additional properties are not allowed ('tag' was unexpected)`);
    expect(create({ block_device_mapping_v2: [{ uuid: U, tag: 't', boot_index: '1' }] }, '2.42').bootVolumes)
      .to.deep.equal([{ volumeId: U, bootIndex: 1, deviceName: null, deleteOnTermination: false, tag: 't' }]);
    expect(createFault({ personality: [{ path: '/f', contents: 'not base64!' }] }))
      .to.equal("Invalid input for field/attribute contents. Value: not base64!. 'not base64!' is not a 'base64'");
    expect(createFault({ personality: [] }, '2.57')).to.equal("Invalid input for field/attribute server. Value: {'name': 'n', 'flavorRef': '1', 'personality': []}. "
      + "Additional properties are not allowed ('personality' was unexpected)");
    expect(() => create({ personality: [{}, {}, {}, {}, {}, {}] }, '2.56')).to.throw(HTTPFault, 'Personality file limit exceeded').with.property('code', 403);
  });

  it('create: the keys each microversion adds', () => {
    expect(createFault({ description: 'd' }, '2.18')).to.match(/Additional properties are not allowed \('description' was unexpected\)$/);
    expect(create({ description: null }, '2.19').description).to.equal(null);
    expect(createFault({ networks: 'auto' }, '2.36')).to.equal("Invalid input for field/attribute networks. Value: auto. 'auto' is not of type 'array'");
    expect(create({ networks: 'auto' }, '2.37').name).to.equal('n');
    expect(createFault({ networks: [{ uuid: 'x' }] }, '2.37'))
      .to.equal("Invalid input for field/attribute networks. Value: [{'uuid': 'x'}]. [{'uuid': 'x'}] is not valid under any of the given schemas");
    expect(createFault({ networks: [{ uuid: 'x' }] }, '2.36')).to.equal('Bad networks format: network uuid is not in proper format (x)');
    expect(createFault({ tags: ['a,b'] }, '2.52')).to.equal("Invalid input for field/attribute 0. Value: a,b. 'a,b' does not match '^[^,/]*$'");
    expect(createFault({ trusted_image_certificates: ['a', 'a'] }, '2.63'))
      .to.equal("Invalid input for field/attribute trusted_image_certificates. Value: ['a', 'a']. ['a', 'a'] has non-unique elements");
    expect(createFault({ host: 'h' }, '2.73')).to.match(/Additional properties are not allowed \('host' was unexpected\)$/);
    expect(create({ host: 'h1', hypervisor_hostname: 'n1' }, '2.74')).to.include({ requestedHost: 'h1', requestedNode: 'n1' });
    expect(createFault({ hostname: 'web.example.com' }, '2.93'))
      .to.equal("Invalid input for field/attribute hostname. Value: web.example.com. 'web.example.com' does not match '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$'");
    expect(create({ hostname: 'web.example.com' }, '2.94').hostname).to.equal('web.example.com');
  });

  it('update: description from 2.19, an IPv6 access address kept compressed', () => {
    const update = (server: unknown, ver: string) => validateBody(updateServerBody(v(ver)), { server }, null).server;
    expect(refused(() => update({ description: 'd' }, '2.18'))).to.match(/Additional properties are not allowed \('description' was unexpected\)$/);
    expect(update({ description: 'd' }, '2.19')).to.deep.equal({ description: 'd' });
    expect(refused(() => update({ accessIPv6: 'x' }, '2.1'))).to.equal("Invalid input for field/attribute accessIPv6. Value: x. 'x' is not a 'ipv6'");
    expect(create({ accessIPv6: '2001:0db8:0000:0000:0000:0000:0000:0001' }).accessIpV6).to.equal('2001:db8::1');
  });

  it('description: printable characters of the BMP only, the pattern quoted as Python prints it', () => {
    const update = (description: unknown) => validateBody(updateServerBody(v('2.19')), { server: { description } }, null).server;
    const head = "Invalid input for field/attribute description. Value: a\u0000b. 'a\\x00b' does not match '^[\\\\ -\\\\~\\xa0-¬®-";
    expect(refused(() => update('a\u0000b')).slice(0, head.length)).to.equal(head);
    for (const bad of ['tab\there', 'two\n\n', 'line\u2028sep', 'soft\u00adhyphen', 'emoji \u{1F600}', 'lone \ud800', '\uffff']) expect(refused(() => update(bad)), bad).to.match(/does not match '\^\[/);
    for (const ok of ['', 'trailing newline\n', 'nbsp\u00a0ünïcödé \ufffd', null]) expect(update(ok), String(ok)).to.deep.equal({ description: ok });
    // maxLength comes before the pattern in Nova's schema.
    expect(refused(() => update(`\u0000${'x'.repeat(255)}`))).to.match(/is too long$/);
  });

  it('server metadata: bad keys do not match the key regex, meta holds exactly one item', () => {
    expect(refused(() => validateBody(MetadataBody, { metadata: { '': 'v' } }, null)))
      .to.equal(`Invalid input for field/attribute metadata. Value: {'': 'v'}. '' does not match any of the regexes: ${KEY}`);
    expect(refused(() => validateBody(MetadataBody, { metadata: { k: 'v'.repeat(256) } }, null))).to.match(/^Invalid input for field\/attribute k\. .* is too long$/);
    expect(refused(() => validateBody(MetadataBody, {}, null))).to.equal("'metadata' is a required property");
    expect(refused(() => validateBody(MetaBody, { meta: { a: '1', b: '2' } }, null)))
      .to.equal("Invalid input for field/attribute meta. Value: {'a': '1', 'b': '2'}. {'a': '1', 'b': '2'} has too many properties");
    expect(refused(() => validateBody(MetaBody, { meta: {} }, null))).to.equal('Invalid input for field/attribute meta. Value: {}. {} does not have enough properties');
    expect(validateBody(MetaBody, { meta: { a: '1' } }, null).meta).to.deep.equal({ a: '1' });
  });

  it('external events: the names of each microversion, an item\'s errors named by its index', () => {
    const events = (body: unknown, ver: string) => validateBody(externalEventsBody(v(ver)), body, null).events;
    const ev = { server_uuid: U, name: 'volume-extended' };
    expect(refused(() => events({ events: [ev] }, '2.50')))
      .to.equal("Invalid input for field/attribute name. Value: volume-extended. 'volume-extended' is not one of "
        + "['network-changed', 'network-vif-plugged', 'network-vif-unplugged', 'network-vif-deleted']");
    expect(events({ events: [ev] }, '2.51')).to.deep.equal([ev]);
    expect(refused(() => events({ events: [{ ...ev, name: 'x' }] }, '2.93'))).to.match(/'x' is not one of \[.*'volume-extended', 'power-update', 'accelerator-request-bound', 'volume-reimaged'\]$/);
    expect(refused(() => events({ events: [] }, '2.1'))).to.equal('Invalid input for field/attribute events. Value: []. [] is too short');
    expect(refused(() => events({ events: [ev, { name: 'network-changed' }] }, '2.51')))
      .to.equal("Invalid input for field/attribute 1. Value: {'name': 'network-changed'}. 'server_uuid' is a required property");
    expect(refused(() => events({ events: [{ ...ev, status: 'done' }] }, '2.51')))
      .to.equal("Invalid input for field/attribute status. Value: done. 'done' is not one of ['failed', 'completed', 'in-progress']");
  });

  it('a deeply nested or huge body is a 400 with a bounded message', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 5000; i++) deep = { k: deep };
    expect(createFault({ metadata: deep as object }).length).to.be.below(2500);
    const huge = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v'.repeat(200)]));
    expect(createFault({ extra: huge }).length).to.be.below(2500);
    expect(createFault({ trusted_image_certificates: [deep, deep] }, '2.63')).to.match(/has non-unique elements$/);
    expect(refused(() => validateBody(externalEventsBody(v('2.1')), { events: Array.from({ length: 5000 }, () => deep) }, null)).length).to.be.below(2500);
  });
});
