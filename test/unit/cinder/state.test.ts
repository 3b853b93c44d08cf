// Pure rules: the status after an attachment goes away (docs/attach-detach.md, Volume states), request-body checks worded
// like Cinder's validator, and the iSCSI provider_location/auth formats.
import { expect } from 'chai';
import { statusAfterDetach } from '../../../cinder-common/volume-status';
import { checkSize, pyRepr, pyStr, resetStatusBody } from '../../../cinder-api/osapi/schemas';
import { chapOf, formatLocation, parseLocation, randomSecret } from '../../../cinder-volume/drivers/iscsi';
import type { Volume } from '../../../cinder-common/entities';

describe('cinder state rules', () => {
  it('recomputes status from the remaining attachments', () => {
    expect(statusAfterDetach([])).to.deep.equal({ status: 'available', attachStatus: 'detached' });
    expect(statusAfterDetach(['attached'])).to.deep.equal({ status: 'in-use', attachStatus: 'attached' });
    expect(statusAfterDetach(['reserved', 'attaching'])).to.deep.equal({ status: 'attaching', attachStatus: 'attaching' });
    expect(statusAfterDetach(['error_attaching', 'detached'])).to.deep.equal({ status: 'available', attachStatus: 'detached' });
    expect(statusAfterDetach(['detaching', 'attached'])).to.deep.equal({ status: 'in-use', attachStatus: 'attached' });
  });

  it('prints values as Python does', () => {
    expect(pyStr('abc')).to.equal('abc');
    expect(pyRepr('abc')).to.equal("'abc'");
    expect(pyStr({ a: null, b: true, c: [1, 'x'] })).to.equal("{'a': None, 'b': True, 'c': [1, 'x']}");
  });

  it('checks volume sizes like parameter_types.volume_size', () => {
    expect(checkSize('size', 3)).to.equal(3);
    expect(checkSize('size', '4')).to.equal(4);
    expect(checkSize('size', null, true)).to.equal(null);
    expect(() => checkSize('size', 0)).to.throw('Invalid input for field/attribute size. Value: 0. 0 is less than the minimum of 1');
    expect(() => checkSize('size', '1.5')).to.throw("does not match '^[0-9]+$'");
    expect(() => checkSize('size', 1.5)).to.throw("1.5 is not of type 'integer', 'string'");
    expect(() => checkSize('size', 2147483648)).to.throw('greater than the maximum');
  });

  it('lower-cases os-reset_status values and maps migration_status none to null', () => {
    expect(resetStatusBody({ status: 'ERROR', attach_status: 'Detached', migration_status: 'none' }))
      .to.deep.equal({ status: 'error', attach_status: 'detached', migration_status: null });
    expect(() => resetStatusBody({ status: 'broken' })).to.throw('Volume status: broken is invalid, valid statuses are: (');
    expect(() => resetStatusBody({ foo: 1 })).to.throw('Additional properties are not allowed');
  });

  it('formats provider_location and provider_auth as Cinder does', () => {
    const loc = formatLocation('10.0.0.5:3260', 3, 'iqn.2010-10.org.openstack:volume-x', 1);
    expect(loc).to.equal('10.0.0.5:3260,3 iqn.2010-10.org.openstack:volume-x 1');
    expect(parseLocation(loc)).to.deep.equal({ portal: '10.0.0.5:3260', tid: 3, iqn: 'iqn.2010-10.org.openstack:volume-x', lun: 1 });
    expect(chapOf({ providerAuth: 'CHAP u p' } as Volume)).to.deep.equal({ user: 'u', password: 'p' });
    expect(chapOf({ providerAuth: null } as Volume)).to.equal(null);
    expect(randomSecret()).to.match(/^[A-Za-z0-9]{20}$/);
  });
});
