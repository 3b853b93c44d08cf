import { expect } from 'chai';
import { Target, NoSuchMethod, UnsupportedVersion } from '../../../common/rpc';
import { RPCDispatcher } from '../../../common/rpc/dispatcher';

const req = (method: string, version: string | null = null, namespace: string | null = null) =>
  ({ method, args: {}, version, namespace });

describe('rpc dispatcher', () => {
  const d = new RPCDispatcher([
    { methods: { plain: () => 'default' } },
    { target: new Target({ version: '3.2' }), methods: { v3: () => 'v3', _hidden: () => 'no' } },
    { target: new Target({ namespace: 'ns1', version: '1.1' }), methods: { plain: () => 'ns1' } },
  ]);

  it('picks the endpoint by namespace and compatible version', async () => {
    expect(await d.dispatch({}, req('plain'))).to.equal('default');
    expect(await d.dispatch({}, req('plain', '1.0', 'ns1'))).to.equal('ns1');
    expect(await d.dispatch({}, req('plain', '1.1', 'ns1'))).to.equal('ns1');
    expect(await d.dispatch({}, req('v3', '3.1'))).to.equal('v3');
  });

  it('NoSuchMethod when a compatible endpoint lacks the method or it is private', () => {
    expect(() => d.resolve(req('missing'))).to.throw(NoSuchMethod, 'Endpoint does not support RPC method missing');
    expect(() => d.resolve(req('_hidden', '3.0'))).to.throw(NoSuchMethod);
    expect(() => d.resolve(req('toString'))).to.throw(NoSuchMethod);
  });

  it('UnsupportedVersion when nothing matches version or namespace', () => {
    expect(() => d.resolve(req('v3', '3.3'))).to.throw(UnsupportedVersion,
      'Endpoint does not support RPC version 3.3. Attempted method: v3');
    expect(() => d.resolve(req('plain', '2.0'))).to.throw(UnsupportedVersion);
    expect(() => d.resolve(req('plain', null, 'nope'))).to.throw(UnsupportedVersion, 'RPC version 1.0');
  });
});
