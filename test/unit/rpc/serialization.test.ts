import { expect } from 'chai';
import {
  decodeBody, encodeEnvelope, packContext, unpackContext, DuplicateFilter, MalformedMessage,
} from '../../../common/rpc/serializer/message';
import {
  MessagingTimeout, NoSuchMethod, RemoteError, ValueError, registerRemoteError, serializeRemoteException,
  deserializeRemoteException, unregisterRemoteError,
} from '../../../common/rpc';
import { NotFound, OpenStackException } from '../../../common/exception';

class VolumeNotFound extends NotFound {
  static override msgFmt = 'Volume %(volume_id)s could not be found.';
  static override wireModule = 'cinder.exception';
}

describe('rpc serialization', () => {
  it('wraps the inner message as a JSON string in the 2.0 envelope', () => {
    const body = encodeEnvelope({ method: 'echo', args: { value: 'hé' } });
    const outer = JSON.parse(body.toString());
    expect(Object.keys(outer)).to.deep.equal(['oslo.version', 'oslo.message']);
    expect(outer['oslo.version']).to.equal('2.0');
    expect(typeof outer['oslo.message']).to.equal('string');
    expect(decodeBody(body)).to.deep.equal({ method: 'echo', args: { value: 'hé' } });
  });

  it('accepts the un-enveloped 1.0 form and rejects garbage', () => {
    expect(decodeBody('{"method": "x", "args": {}}')).to.deep.equal({ method: 'x', args: {} });
    expect(() => decodeBody('nope')).to.throw(MalformedMessage);
    expect(() => decodeBody('[1]')).to.throw(MalformedMessage);
    expect(() => decodeBody('{"oslo.version": "3.0", "oslo.message": "{}"}')).to.throw(/Unsupported envelope/);
  });

  it('flattens the context into _context_ keys and back', () => {
    const msg = packContext({ method: 'm' }, { user_id: 'u1', roles: ['admin'] });
    expect(msg).to.deep.equal({ method: 'm', _context_user_id: 'u1', _context_roles: ['admin'] });
    const ctxt = unpackContext(msg);
    expect(ctxt).to.deep.equal({ user_id: 'u1', roles: ['admin'] });
    expect(msg).to.deep.equal({ method: 'm' });
  });

  it('remembers the last 16 unique ids', () => {
    const f = new DuplicateFilter(16);
    expect(f.isDuplicate('a')).to.equal(false);
    expect(f.isDuplicate('a')).to.equal(true);
    for (let i = 0; i < 16; i++) f.isDuplicate(`x${i}`);
    expect(f.isDuplicate('a')).to.equal(false);
    expect(f.isDuplicate(undefined)).to.equal(false);
  });

  it('serializes failures with class, module, message, tb, args, kwargs', () => {
    const f = JSON.parse(serializeRemoteException(new VolumeNotFound({ volume_id: 'v1' })));
    expect(f.class).to.equal('VolumeNotFound');
    expect(f.module).to.equal('cinder.exception');
    expect(f.message).to.equal('Volume v1 could not be found.');
    expect(f.kwargs).to.deep.equal({ volume_id: 'v1' });
    expect(f.args).to.deep.equal(['Volume v1 could not be found.']);
    expect(f.tb[0]).to.equal('Traceback (most recent call last):\n');
    expect(f.tb[f.tb.length - 1]).to.equal('VolumeNotFound: Volume v1 could not be found.\n');
    const v = JSON.parse(serializeRemoteException(new ValueError('boom')));
    expect([v.class, v.module, v.message]).to.deep.equal(['ValueError', 'builtins', 'boom']);
    const n = JSON.parse(serializeRemoteException(new NoSuchMethod('x')));
    expect([n.class, n.module]).to.deep.equal(['NoSuchMethod', 'oslo_messaging.rpc.dispatcher']);
  });

  it('rebuilds registered classes and maps the rest to RemoteError', () => {
    registerRemoteError(VolumeNotFound);
    try {
      const e = deserializeRemoteException(serializeRemoteException(new VolumeNotFound({ volume_id: 'v1' })));
      expect(e).to.be.instanceOf(VolumeNotFound);
      expect(e).to.be.instanceOf(OpenStackException);
      expect(e.message).to.equal('Volume v1 could not be found.');
      expect((e as VolumeNotFound).kwargs).to.deep.equal({ volume_id: 'v1' });
      expect((e as VolumeNotFound).code).to.equal(404);
    } finally {
      unregisterRemoteError('cinder.exception', 'VolumeNotFound');
    }
    const r = deserializeRemoteException(serializeRemoteException(new VolumeNotFound({ volume_id: 'v1' })));
    expect(r).to.be.instanceOf(RemoteError);
    expect((r as RemoteError).excType).to.equal('VolumeNotFound');
    const py = deserializeRemoteException(JSON.stringify({
      class: 'ValueError', module: 'builtins', message: 'boom', tb: ['Traceback\n', 'ValueError: boom\n'], args: ['boom'], kwargs: {},
    })) as RemoteError;
    expect(py).to.be.instanceOf(RemoteError);
    expect([py.excType, py.value]).to.deep.equal(['ValueError', 'boom']);
    expect(py.traceback).to.deep.equal(['Traceback\n', 'ValueError: boom\n']);
    expect(py.message).to.equal("Remote error: ValueError boom\n['Traceback\\n', 'ValueError: boom\\n'].");
    registerRemoteError(NoSuchMethod);
    try {
      const n = deserializeRemoteException(serializeRemoteException(new NoSuchMethod('frob')));
      expect(n).to.be.instanceOf(NoSuchMethod);
      expect(n.message).to.equal('Endpoint does not support RPC method frob');
    } finally {
      unregisterRemoteError('oslo_messaging.rpc.dispatcher', 'NoSuchMethod');
    }
    expect(new MessagingTimeout('abc').message).to.equal('Timed out waiting for a reply to message ID abc');
  });
});
