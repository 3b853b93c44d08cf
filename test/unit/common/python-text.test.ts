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

  it('repr escapes what Python does not print (a lone surrogate, controls, format characters), not other non-ASCII', () => {
    expect(pyRepr('\ud800')).to.equal("'\\ud800'");
    expect(pyRepr('a\u0000b\u007f')).to.equal("'a\\x00b\\x7f'");
    expect(pyRepr('\u202eevil\u00a0')).to.equal("'\\u202eevil\\xa0'");
    expect(pyRepr('\u{10ffff}')).to.equal("'\\U0010ffff'");
    expect(pyRepr('ünïcödé a\t\u{1F600}')).to.equal("'ünïcödé a\\t\u{1F600}'");
  });

  it('repr shows numbers as Python floats: nan, inf, exponents with a sign and two digits below 1e-4', () => {
    expect([1e-9, 1.5e-7, 0.0001, 1e-5, 1.5, -2.5e-5, 123.456, 2].map(pyRepr)).to.deep.equal(['1e-09', '1.5e-07', '0.0001', '1e-05', '1.5', '-2.5e-05', '123.456', '2']);
    expect([NaN, Infinity, -Infinity].map(pyRepr)).to.deep.equal(['nan', 'inf', '-inf']);
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

describe('Python repr() of hostile values (error messages stay bounded)', () => {
  const nested = (n: number): unknown => {
    let v: unknown = [];
    for (let i = 0; i < n; i++) v = [v];
    return v;
  };

  it('a value nested 20,000 deep prints its first 64 levels, without overflowing the stack', () => {
    const s = pyRepr(nested(20_000));
    expect(s.startsWith('['.repeat(64))).to.equal(true);
    expect(s).to.contain('[...]');
    expect(s.length).to.be.below(200);
  });

  it('a long value is cut at 1024 characters, a short one is whole', () => {
    expect(pyRepr('x'.repeat(5000))).to.have.length(1027);
    expect(pyRepr('x'.repeat(5000)).endsWith('...')).to.equal(true);
    const many = Array.from({ length: 2000 }, (_, i) => i);
    expect(pyRepr(many).length).to.be.at.most(1030);
    expect(pyRepr({ a: [1, { b: 'c' }] })).to.equal("{'a': [1, {'b': 'c'}]}");
  });
});
