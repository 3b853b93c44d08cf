// os-volume_attachments bodies rejected with the messages Nova's jsonschema validator prints
// (POST and PUT bodies): errors of the volumeAttachment object itself (required,
// additionalProperties) name the object and print its value; property errors come first.
import { expect } from 'chai';
import { validateBody } from '../../../common/api';
import type { HTTPFault } from '../../../common/api/faults';
import {
  AttachVolumeV21, AttachVolumeV249, AttachVolumeV279, UpdateVolumeAttachmentV285,
} from '../../../nova-api/schemas/volume-attachments';

const VID = '3add6a8c-2d5b-49e4-abe9-b9dc04738737';

function message(cls: new () => object, body: unknown): string {
  try {
    validateBody(cls, body, 'volumeAttachment');
  } catch (e) {
    expect((e as HTTPFault).code).to.equal(400);
    return (e as HTTPFault).message;
  }
  throw new Error('accepted');
}

describe('nova-api os-volume_attachments schemas', () => {
  it('a missing volumeId is an error of the volumeAttachment object', () => {
    expect(message(AttachVolumeV21, { volumeAttachment: {} }))
      .to.equal("Invalid input for field/attribute volumeAttachment. Value: {}. 'volumeId' is a required property");
    expect(message(AttachVolumeV21, { volumeAttachment: { device: '/dev/vdb' } }))
      .to.equal("Invalid input for field/attribute volumeAttachment. Value: {'device': '/dev/vdb'}. 'volumeId' is a required property");
  });

  it('a null volumeId is a type error, not a missing property', () => {
    expect(message(AttachVolumeV21, { volumeAttachment: { volumeId: null } }))
      .to.equal("Invalid input for field/attribute volumeId. Value: None. None is not of type 'string'");
  });

  it('unknown keys (tag before 2.49) name the object, every extra listed', () => {
    expect(message(AttachVolumeV21, { volumeAttachment: { volumeId: VID, tag: 'x' } }))
      .to.equal(`Invalid input for field/attribute volumeAttachment. Value: {'volumeId': '${VID}', 'tag': 'x'}. Additional properties are not allowed ('tag' was unexpected)`);
    expect(message(AttachVolumeV249, { volumeAttachment: { volumeId: VID, a: 1, b: true } }))
      .to.equal(`Invalid input for field/attribute volumeAttachment. Value: {'volumeId': '${VID}', 'a': 1, 'b': True}. Additional properties are not allowed ('a', 'b' were unexpected)`);
  });

  it('property errors come before required and additionalProperties, the body\'s own extras last', () => {
    expect(message(AttachVolumeV21, { volumeAttachment: { volumeId: 'nope', extra: 1 } }))
      .to.equal("Invalid input for field/attribute volumeId. Value: nope. 'nope' is not a 'uuid'");
    expect(message(AttachVolumeV21, { volumeAttachment: { device: 5 } }))
      .to.equal("Invalid input for field/attribute device. Value: 5. 5 is not of type 'string', 'null'");
    expect(message(AttachVolumeV21, { volumeAttachment: { volumeId: 'nope' }, x: 1 }))
      .to.equal("Invalid input for field/attribute volumeId. Value: nope. 'nope' is not a 'uuid'");
    expect(message(AttachVolumeV21, { volumeAttachment: { volumeId: VID }, x: 1 })).to.equal("Additional properties are not allowed ('x' was unexpected)");
  });

  it('quotes the device pattern as the schema spells it', () => {
    expect(message(AttachVolumeV21, { volumeAttachment: { volumeId: VID, device: 'vdb' } }))
      .to.equal("Invalid input for field/attribute device. Value: vdb. 'vdb' does not match '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$'");
  });

  it('delete_on_termination: type first, then parameter_types.boolean\'s enum in its order', () => {
    expect(message(AttachVolumeV279, { volumeAttachment: { volumeId: VID, delete_on_termination: 5 } }))
      .to.equal("Invalid input for field/attribute delete_on_termination. Value: 5. 5 is not of type 'boolean', 'string'");
    expect(message(AttachVolumeV279, { volumeAttachment: { volumeId: VID, delete_on_termination: 'maybe' } }))
      .to.equal("Invalid input for field/attribute delete_on_termination. Value: maybe. 'maybe' is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', " +
        "'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']");
    expect(validateBody(AttachVolumeV279, { volumeAttachment: { volumeId: VID, delete_on_termination: 'yes' } }, 'volumeAttachment'))
      .to.include({ delete_on_termination: 'yes' });
  });

  it('the 2.85 PUT body validates its fields with the create messages (serverId and id are uuids)', () => {
    expect(message(UpdateVolumeAttachmentV285, { volumeAttachment: { volumeId: VID, device: 5 } }))
      .to.equal("Invalid input for field/attribute device. Value: 5. 5 is not of type 'string', 'null'");
    expect(message(UpdateVolumeAttachmentV285, { volumeAttachment: { volumeId: VID, tag: '' } }))
      .to.equal("Invalid input for field/attribute tag. Value: . '' is too short");
    expect(message(UpdateVolumeAttachmentV285, { volumeAttachment: { volumeId: VID, serverId: 'abc' } }))
      .to.equal("Invalid input for field/attribute serverId. Value: abc. 'abc' is not a 'uuid'");
    expect(message(UpdateVolumeAttachmentV285, { volumeAttachment: { volumeId: VID, delete_on_termination: 'x' } }))
      .to.match(/^Invalid input for field\/attribute delete_on_termination\. Value: x\. 'x' is not one of \[True, 'True',/);
    expect(validateBody(UpdateVolumeAttachmentV285, { volumeAttachment: { volumeId: VID, id: VID, serverId: VID, device: null } }, 'volumeAttachment'))
      .to.include({ id: VID, serverId: VID });
  });
});
