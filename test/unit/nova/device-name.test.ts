import { expect } from 'chai';
import { deviceLetter, letterFor, matchDevice, nextDeviceName } from '../../../nova-common/device-name';

describe('nova device names', () => {
  it('generates letters a..z, aa, ab (bijective base 26)', () => {
    expect([0, 1, 25, 26, 27, 51, 52].map(letterFor)).to.deep.equal(['a', 'b', 'z', 'aa', 'ab', 'az', 'ba']);
  });
  it('validates like Nova', () => {
    expect(matchDevice('/dev/vdb')).to.deep.equal(['/dev/vd', 'b']);
    expect(matchDevice('/dev/xvdc')).to.deep.equal(['/dev/xvd', 'c']);
    expect(() => matchDevice('vdb')).to.throw('The supplied device path (vdb) is invalid.');
    // Longer than the BDM column (VARCHAR(255)): refused up front, not a database error.
    const long = `/dev/vd${'x'.repeat(249)}`;
    expect(() => matchDevice(long.slice(0, 255))).to.not.throw();
    expect(() => matchDevice(long)).to.throw(`The supplied device path (${long}) is invalid.`);
    expect(deviceLetter('/dev/sda1')).to.equal('a');
  });
  it('picks the first free letter after the root disk', () => {
    expect(nextDeviceName('/dev/vda', ['/dev/vda'], null)).to.deep.equal({ device: '/dev/vdb', requested: false });
    expect(nextDeviceName('/dev/vda', ['/dev/vda', '/dev/vdb', '/dev/vdd'], null)?.device).to.equal('/dev/vdc');
  });
  it('keeps a free requested letter on the root disk prefix, refuses a used one', () => {
    expect(nextDeviceName('/dev/vda', ['/dev/vda'], '/dev/sdc')).to.deep.equal({ device: '/dev/vdc', requested: true });
    expect(nextDeviceName('/dev/vda', ['/dev/vda', '/dev/vdc'], '/dev/vdc')).to.equal(null);
    expect(nextDeviceName('/dev/vda', [], '/dev/vda')).to.equal(null);
  });
});
