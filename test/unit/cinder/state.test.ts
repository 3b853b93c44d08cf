// Pure rules: the status after an attachment goes away (docs/attach-detach.md, Volume states), Python's printing of values
// (the request bodies: volume-schemas.test.ts), and the iSCSI provider_location/auth formats.
import { expect } from 'chai';
import { statusAfterDetach } from '../../../cinder-common/volume-status';
import { pyRepr, pyStr } from '../../../common/api';
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

  it('formats provider_location and provider_auth as Cinder does', () => {
    const loc = formatLocation('10.0.0.5:3260', 3, 'iqn.2010-10.org.openstack:volume-x', 1);
    expect(loc).to.equal('10.0.0.5:3260,3 iqn.2010-10.org.openstack:volume-x 1');
    expect(parseLocation(loc)).to.deep.equal({ portal: '10.0.0.5:3260', tid: 3, iqn: 'iqn.2010-10.org.openstack:volume-x', lun: 1 });
    expect(chapOf({ providerAuth: 'CHAP u p' } as Volume)).to.deep.equal({ user: 'u', password: 'p' });
    expect(chapOf({ providerAuth: null } as Volume)).to.equal(null);
    expect(randomSecret()).to.match(/^[A-Za-z0-9]{20}$/);
  });
});
