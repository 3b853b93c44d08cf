import { expect } from 'chai';
import { invalidInput, pyRepr, pyStr } from '../../../common/api';

describe('Python str()/repr() of JSON values (schema error messages)', () => {
  it('repr quotes like Python', () => {
    expect(pyRepr('vol1')).to.equal("'vol1'");
    expect(pyRepr("it's")).to.equal('"it\'s"');
    expect(pyRepr('a\'b"c')).to.equal("'a\\'b\"c'");
    expect(pyRepr(null)).to.equal('None');
    expect(pyRepr(true)).to.equal('True');
    expect(pyRepr({ a: 1, b: ['x', false] })).to.equal("{'a': 1, 'b': ['x', False]}");
  });

  it('str leaves a string bare and reprs the rest', () => {
    expect(pyStr('vol1')).to.equal('vol1');
    expect(pyStr({ device: 5 })).to.equal("{'device': 5}");
    expect(pyStr(null)).to.equal('None');
  });

  it('words a schema failure as nova/cinder do: Value is str(), the reason quotes with repr()', () => {
    const e = invalidInput('volumeId', 'vol1', "'vol1' is not a 'uuid'");
    expect(e.code).to.equal(400);
    expect(e.message).to.equal("Invalid input for field/attribute volumeId. Value: vol1. 'vol1' is not a 'uuid'");
  });
});
