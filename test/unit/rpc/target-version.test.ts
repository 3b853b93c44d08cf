import { expect } from 'chai';
import { Target } from '../../../common/rpc';
import { isCompatible, checkVersion } from '../../../common/rpc/version';

describe('rpc Target and versions', () => {
  it('is an immutable value; with() copies', () => {
    const t = new Target({ topic: 'compute', version: '3.0' });
    const t2 = t.with({ server: 'c1' });
    expect(t.server).to.equal(null);
    expect(t2.server).to.equal('c1');
    expect(t2.topic).to.equal('compute');
    expect(Object.isFrozen(t)).to.equal(true);
    expect(t2.with({ server: null }).equals(t)).to.equal(true);
    expect(String(t2)).to.equal('<Target topic=compute, version=3.0, server=c1>');
  });

  it('matches versions like oslo version_is_compatible', () => {
    expect(isCompatible('3.1', '3.0')).to.equal(true);
    expect(isCompatible('3.1', '3.1')).to.equal(true);
    expect(isCompatible('3.1', '3.2')).to.equal(false);
    expect(isCompatible('3.1', '2.0')).to.equal(false);
    expect(isCompatible('3.1.2', '3.1.1')).to.equal(true);
    expect(isCompatible('3.1.2', '3.1.3')).to.equal(false);
    expect(isCompatible(null, '9.9')).to.equal(true);
    expect(isCompatible('1.0', null)).to.equal(false);
    expect(() => checkVersion('abc')).to.throw(/major and minor/);
  });
});
