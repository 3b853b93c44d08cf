// Cinder's request-body DTOs (cinder-api/schemas/) rejected with the messages Cinder's
// jsonschema validator prints: property errors as "Invalid input for field/attribute <f>. Value:
// <v>. <why>", errors of the body itself as jsonschema's message alone, the first error in the
// order the schema dict lists its keywords; the format checkers' own texts where Cinder raises them.
import { expect } from 'chai';
import { APIVersion, validateBody } from '../../../common/api';
import type { HTTPFault } from '../../../common/api/faults';
import { CreateAttachmentBody, createAttachmentSchema, UpdateAttachmentBody } from '../../../cinder-api/schemas/attachments';
import { EnableBody, DisableLogReasonBody } from '../../../cinder-api/schemas/services';
import { CreateTypeBody, UpdateSpecBody, UpdateTypeBody } from '../../../cinder-api/schemas/types';
import { MetaBody } from '../../../cinder-api/schemas/volume-metadata';
import { AttachBody, DetachBody, ExtendBody, ResetStatusBody, resetStatusUpdate, SetBootableBody } from '../../../cinder-api/schemas/volume-actions';
import { createVolumeSchema, nameAndDescription, updateVolumeSchema } from '../../../cinder-api/schemas/volumes';
import { QuotaClassSetBody } from '../../../cinder-api/schemas/quotas';

const ID = '3add6a8c-2d5b-49e4-abe9-b9dc04738737';
const mv = (v: string): APIVersion => APIVersion.parse(v);

function message(cls: new () => object, body: unknown): string {
  try {
    validateBody(cls, body, null);
  } catch (e) {
    expect((e as HTTPFault).code).to.equal(400);
    return (e as HTTPFault).message;
  }
  throw new Error('accepted');
}

describe('cinder-api body schemas', () => {
  const create = createVolumeSchema(mv('3.0'));

  it('volume create: types, the size keywords in their order, nullable fields', () => {
    expect(message(create, { volume: { size: 'abc' } })).to.equal("Invalid input for field/attribute size. Value: abc. 'abc' does not match '^[0-9]+$'");
    expect(message(create, { volume: { size: 0 } })).to.equal('Invalid input for field/attribute size. Value: 0. 0 is less than the minimum of 1');
    expect(message(create, { volume: { size: '0' } })).to.equal('Invalid input for field/attribute size. Value: 0. 0 is less than the minimum of 1');
    expect(message(create, { volume: { size: 1.5 } })).to.equal("Invalid input for field/attribute size. Value: 1.5. 1.5 is not of type 'integer', 'string', 'null'");
    expect(message(create, { volume: { size: 2147483648 } })).to.equal('Invalid input for field/attribute size. Value: 2147483648. 2147483648 is greater than the maximum of 2147483647');
    expect(message(create, { volume: { size: 1, availability_zone: '' } })).to.equal("Invalid input for field/attribute availability_zone. Value: . '' is too short");
    const ok = validateBody(create, { volume: { size: null, name: '  n  ', display_description: 'd', metadata: null } }, null);
    expect(nameAndDescription(ok.volume)).to.deep.equal({ name: 'n', description: 'd' });
  });

  it('volume create: uuids and booleans are oneOf (null first), formats raise their own texts', () => {
    expect(message(create, { volume: { size: 1, snapshot_id: 'abc' } }))
      .to.equal("Invalid input for field/attribute snapshot_id. Value: abc. 'abc' is not valid under any of the given schemas");
    expect(message(createVolumeSchema(mv('3.47')), { volume: { size: 1, backup_id: 5 } }))
      .to.equal('Invalid input for field/attribute backup_id. Value: 5. 5 is not valid under any of the given schemas');
    expect(message(create, { volume: { size: 1, multiattach: 'maybe' } }))
      .to.equal("Invalid input for field/attribute multiattach. Value: maybe. 'maybe' is not valid under any of the given schemas");
    expect(message(create, { volume: { size: 1, display_name: 'x'.repeat(256) } })).to.equal('Invalid input received: name has 256 characters, more than 255.');
  });

  it('metadata: the values first, then the keys no pattern takes; a per-key body has one item', () => {
    expect(message(create, { volume: { size: 1, metadata: { a: 1 } } })).to.equal("Invalid input for field/attribute a. Value: 1. 1 is not of type 'string'");
    expect(message(create, { volume: { size: 1, metadata: { 'bad!': 'x', ok: 5 } } })).to.equal("Invalid input for field/attribute ok. Value: 5. 5 is not of type 'string'");
    expect(message(create, { volume: { size: 1, metadata: { 'bad!': 'x' } } }))
      .to.equal("Invalid input for field/attribute metadata. Value: {'bad!': 'x'}. 'bad!' does not match any of the regexes: '^[a-zA-Z0-9-_:. /]{1,255}$'");
    expect(message(create, { volume: { size: 1, metadata: { z: 'x', 'b!': 'x', 'a!': 'y' } } })).to.match(/'a!', 'b!' do not match any of the regexes: /);
    expect(message(MetaBody, { meta: { c: '4', d: '5' } })).to.equal("Invalid input for field/attribute meta. Value: {'c': '4', 'd': '5'}. {'c': '4', 'd': '5'} has too many properties");
    expect(message(MetaBody, { meta: {} })).to.equal('Invalid input for field/attribute meta. Value: {}. {} does not have enough properties');
  });

  it('additionalProperties: open below 3.53, closed from it; the body itself answers without a path', () => {
    expect(validateBody(create, { volume: { size: 1, bogus: 1 } }, null).volume).to.include({ bogus: 1 });
    expect(message(createVolumeSchema(mv('3.53')), { volume: { size: 1, bogus: 1 } }))
      .to.equal("Invalid input for field/attribute volume. Value: {'size': 1, 'bogus': 1}. Additional properties are not allowed ('bogus' was unexpected)");
    expect(message(create, { vol: {} })).to.equal("'volume' is a required property");
    expect(message(create, { volume: { size: 1 }, a: 1, b: 2 })).to.equal("Additional properties are not allowed ('a', 'b' were unexpected)");
    // jsonschema's extras_msg sorts the keys, whatever order the body has them in.
    expect(message(create, { volume: { size: 1 }, force: 1, extra: 2 })).to.equal("Additional properties are not allowed ('extra', 'force' were unexpected)");
    expect(message(create, [1])).to.equal("[1] is not of type 'object'");
    expect(message(create, { volume: 'x' })).to.equal("Invalid input for field/attribute volume. Value: x. 'x' is not of type 'object'");
  });

  it('volume update: from 3.53 at least one known key, checked after additionalProperties', () => {
    expect(validateBody(updateVolumeSchema(mv('3.0')), { volume: {} }, null).volume).to.be.an('object');
    expect(message(updateVolumeSchema(mv('3.53')), { volume: {} })).to.equal('Invalid input for field/attribute volume. Value: {}. {} is not valid under any of the given schemas');
    expect(message(updateVolumeSchema(mv('3.53')), { volume: { x: 1 } }))
      .to.equal("Invalid input for field/attribute volume. Value: {'x': 1}. Additional properties are not allowed ('x' was unexpected)");
    expect(message(updateVolumeSchema(mv('3.0')), { volume: { metadata: null } }))
      .to.equal("Invalid input for field/attribute metadata. Value: None. None is not of type 'object'");
  });

  it('volume actions: properties, required, anyOf, then additionalProperties', () => {
    expect(message(AttachBody, { 'os-attach': { x: 1 } })).to.equal("Invalid input for field/attribute os-attach. Value: {'x': 1}. 'mountpoint' is a required property");
    expect(message(AttachBody, { 'os-attach': { mountpoint: '/dev/vdb' } }))
      .to.equal("Invalid input for field/attribute os-attach. Value: {'mountpoint': '/dev/vdb'}. {'mountpoint': '/dev/vdb'} is not valid under any of the given schemas");
    expect(message(AttachBody, { 'os-attach': { instance_uuid: ID, mountpoint: '/dev/vdb', mode: 'xx' } }))
      .to.equal("Invalid input for field/attribute mode. Value: xx. 'xx' is not one of ['rw', 'ro']");
    expect(message(AttachBody, { 'os-attach': { instance_uuid: 'x', mountpoint: '/dev/vdb' } })).to.equal("Invalid input for field/attribute instance_uuid. Value: x. 'x' is not a 'uuid'");
    expect(message(DetachBody, { 'os-detach': { attachment_id: 'xxx' } }))
      .to.equal("Invalid input for field/attribute attachment_id. Value: xxx. 'xxx' is not valid under any of the given schemas");
    expect(validateBody(DetachBody, { 'os-detach': null }, null)['os-detach']).to.equal(null);
    expect(message(ExtendBody, { 'os-extend': {} })).to.equal("Invalid input for field/attribute os-extend. Value: {}. 'new_size' is a required property");
    expect(message(SetBootableBody, { 'os-set_bootable': { bootable: 'maybe' } })).to.match(/^Invalid input for field\/attribute bootable\. Value: maybe\. 'maybe' is not one of \[True, 'True', /);
  });

  it('os-reset_status: the body format first, then each status format with its own text', () => {
    expect(message(ResetStatusBody, { 'os-reset_status': { foo: 1 } })).to.equal("Must specify 'status', 'attach_status' or 'migration_status' for update.");
    expect(message(ResetStatusBody, { 'os-reset_status': { status: 'broken' } })).to.match(/^Volume status: broken is invalid, valid statuses are: \('creating'/);
    // Python's truth: an empty list or dict is no status (the body format's error, before the type's); a full one is a wrong type.
    for (const empty of [[], {}, '', 0, false, null]) {
      expect(message(ResetStatusBody, { 'os-reset_status': { status: empty, attach_status: empty } })).to.equal("Must specify 'status', 'attach_status' or 'migration_status' for update.");
    }
    expect(message(ResetStatusBody, { 'os-reset_status': { status: ['x'] } })).to.equal("Invalid input for field/attribute status. Value: ['x']. ['x'] is not of type 'string', 'null'");
    expect(message(ResetStatusBody, { 'os-reset_status': { status: 'error', foo: 1 } }))
      .to.equal("Invalid input for field/attribute os-reset_status. Value: {'status': 'error', 'foo': 1}. Additional properties are not allowed ('foo' was unexpected)");
    const r = validateBody(ResetStatusBody, { 'os-reset_status': { status: 'ERROR', attach_status: 'Detached', migration_status: 'none' } }, null);
    expect(resetStatusUpdate(r['os-reset_status'])).to.deep.equal({ status: 'error', attach_status: 'detached', migration_status: null });
  });

  it('attachments: uuid formats, mode from 3.54, a non-empty connector on update', () => {
    expect(message(CreateAttachmentBody, { attachment: { volume_uuid: ID, mode: 'rw' } }))
      .to.equal(`Invalid input for field/attribute attachment. Value: {'volume_uuid': '${ID}', 'mode': 'rw'}. Additional properties are not allowed ('mode' was unexpected)`);
    expect(message(createAttachmentSchema(mv('3.54')), { attachment: { volume_uuid: ID, mode: 'x' } }))
      .to.equal("Invalid input for field/attribute mode. Value: x. 'x' is not one of ['rw', 'ro']");
    expect(message(CreateAttachmentBody, { attachment: { volume_uuid: 'v' } })).to.equal("Invalid input for field/attribute volume_uuid. Value: v. 'v' is not a 'uuid'");
    expect(message(UpdateAttachmentBody, { attachment: { connector: {} } })).to.equal('Invalid input for field/attribute connector. Value: {}. {} does not have enough properties');
  });

  it('types: properties before required, the name format, one extra spec per update', () => {
    expect(message(CreateTypeBody, { volume_type: { name: 5, foo: 1 } })).to.equal("Invalid input for field/attribute name. Value: 5. 5 is not of type 'string'");
    expect(message(CreateTypeBody, { volume_type: { foo: 1 } })).to.equal("Invalid input for field/attribute volume_type. Value: {'foo': 1}. 'name' is a required property");
    expect(message(CreateTypeBody, { volume_type: { name: '  ' } })).to.equal("An invalid 'name' value was provided. The 'name' can not be empty.");
    expect(message(CreateTypeBody, { volume_type: { name: 't', 'os-volume-type-access:is_public': 2 } }))
      .to.equal("Invalid input for field/attribute os-volume-type-access:is_public. Value: 2. 2 is not of type 'boolean', 'string'");
    expect(message(UpdateSpecBody, { a: 'x', b: 'y' })).to.equal("{'a': 'x', 'b': 'y'} has too many properties");
    expect(message(UpdateSpecBody, { 'a b': 'x' })).to.equal("'a b' does not match any of the regexes: '^[a-zA-Z0-9-_:.]{1,255}$'");
    expect(message(UpdateSpecBody, { a: 1 })).to.equal("Invalid input for field/attribute a. Value: 1. 1 is not of type 'string', 'null'");
  });

  it('type description: printable characters of the BMP only (valid_description_regex), quoted whole', () => {
    const create = (description: unknown): unknown => validateBody(CreateTypeBody, { volume_type: { name: 't', description } }, null).volume_type.description;
    const update = (description: unknown): unknown => validateBody(UpdateTypeBody, { volume_type: { description } }, null).volume_type.description;
    const refused = message(CreateTypeBody, { volume_type: { name: 't', description: 'nul\u0000inside' } });
    const head = "Invalid input for field/attribute description. Value: nul\u0000inside. 'nul\\x00inside' does not match '^[\\\\ -\\\\~\\xa0-¬®-";
    expect(refused.slice(0, head.length)).to.equal(head);
    expect(refused).to.match(/￼-�\]\*\$'$/);
    for (const bad of ['tab\there', 'two\n\n', 'para\u2029sep', 'soft\u00adhyphen', 'emoji \u{1F600}', 'lone \udc00', '\uffff']) {
      expect(message(UpdateTypeBody, { volume_type: { description: bad } }), bad).to.match(/does not match '\^\[/);
    }
    for (const ok of ['', 'trailing newline\n', 'nbsp\u00a0ünïcödé \ufffd', null]) expect(create(ok), String(ok)).to.equal(ok);
    expect(update('plain')).to.equal('plain');
    expect(message(CreateTypeBody, { volume_type: { name: 't', description: `\u0000${'x'.repeat(255)}` } })).to.match(/is too long$/);
  });

  it('services: the body is the object; anyOf before additionalProperties; the host pattern as Python prints it', () => {
    expect(message(EnableBody, {})).to.equal('{} is not valid under any of the given schemas');
    expect(message(EnableBody, { binary: 'x', foo: 1 })).to.equal("Additional properties are not allowed ('foo' was unexpected)");
    expect(message(EnableBody, { binary: 'b', host: 'bad host!' }))
      .to.equal("Invalid input for field/attribute host. Value: bad host!. 'bad host!' does not match '^[a-zA-Z0-9-._#@:/+\\\\[\\\\]]*$'");
    expect(message(DisableLogReasonBody, { binary: 'b', disabled_reason: '  ' }))
      .to.equal("Invalid input for field/attribute disabled_reason. Value:   . '  ' is not a 'disabled_reason'");
  });

  it('quota class sets: a value is checked in the keywords\' order', () => {
    expect(message(QuotaClassSetBody, { quota_class_set: { volumes: '-1' } }))
      .to.equal("Invalid input for field/attribute volumes. Value: -1. '-1' does not match '^[0-9]*$'");
    expect(message(QuotaClassSetBody, { quota_class_set: { volumes: -2 } })).to.equal('Invalid input for field/attribute volumes. Value: -2. -2 is less than the minimum of -1');
    expect(message(QuotaClassSetBody, { quota_class_set: { volumes: '' } })).to.equal("Invalid input for field/attribute volumes. Value: . '' is too short");
  });
});
