import { expect } from 'chai';
import {
  decodeBody, encodeEnvelope, packContext, unpackContext, DuplicateFilter, MalformedMessage,
} from '../../../common/rpc/serializer/message';
import {
  ExceptionModule, MessagingTimeout, NoSuchMethod, RemoteError, ValueError, serializeRemoteException,
  deserializeRemoteException,
} from '../../../common/rpc';
import { OpenStackException } from '../../../common/exception';
import * as cinderException from '../../../cinder-common/exception';
import { VolumeNotFound } from '../../../cinder-common/exception';
import { CINDER_EXCEPTIONS } from '../../../cinder-common/rpc';
import * as novaException from '../../../nova-common/exception';
import { NOVA_EXCEPTIONS } from '../../../nova-common/rpc';

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

  it('rebuilds a failure of an allowed module as the local class, with its kwargs and code', () => {
    const failure = serializeRemoteException(new VolumeNotFound({ volume_id: 'v1' }));
    const e = deserializeRemoteException(failure, [NOVA_EXCEPTIONS, CINDER_EXCEPTIONS]);
    expect(e).to.be.instanceOf(VolumeNotFound);
    expect(e).to.be.instanceOf(OpenStackException);
    expect(e.message).to.equal('Volume v1 could not be found.');
    expect((e as VolumeNotFound).kwargs).to.deep.equal({ volume_id: 'v1' });
    expect((e as VolumeNotFound).code).to.equal(404);
    // Nova has a VolumeNotFound too: the failure's module picks the class, not its name alone.
    const n = deserializeRemoteException(failure, [NOVA_EXCEPTIONS]);
    expect(n).to.be.instanceOf(RemoteError);
    expect(n).not.to.be.instanceOf(novaException.VolumeNotFound);
    // Text and kwargs are the remote's, even where the local template would say otherwise.
    const py = deserializeRemoteException(JSON.stringify({
      class: 'InvalidVolume', module: 'nova.exception', message: 'Invalid volume: in-use', tb: [], args: [], kwargs: { reason: 'x' },
    }), [NOVA_EXCEPTIONS]);
    expect(py).to.be.instanceOf(novaException.InvalidVolume);
    expect([py.message, (py as OpenStackException).kwargs, (py as OpenStackException).code]).to.deep.equal(['Invalid volume: in-use', { reason: 'x' }, 400]);
  });

  it('the Nova and Cinder catalogues find every exception their module exports, under its wire module', () => {
    for (const [mod, ns, base] of [
      [NOVA_EXCEPTIONS, novaException, novaException.NovaException],
      [CINDER_EXCEPTIONS, cinderException, cinderException.CinderException],
    ] as const) {
      const classes = Object.entries(ns).filter(([, v]) => typeof v === 'function' && v.prototype instanceof Error);
      expect(classes.length).to.be.greaterThan(20);
      for (const [name, cls] of classes) {
        expect(mod.classNamed(name), name).to.equal(cls);
        expect((cls as typeof OpenStackException).wireModule, name).to.equal(mod.name);
        expect(cls === base || cls.prototype instanceof base, name).to.equal(true);
      }
    }
    expect([novaException.NovaException.name, cinderException.CinderException.name]).to.deep.equal(['NovaException', 'CinderException']);
    expect(new cinderException.NotAuthorized().message).to.equal('Not authorized.');
    expect(new novaException.Forbidden().message).to.equal('Forbidden');
  });

  it('maps a failure of a module not allowed, or a name the module lacks, to RemoteError', () => {
    const r = deserializeRemoteException(serializeRemoteException(new VolumeNotFound({ volume_id: 'v1' }))) as RemoteError;
    expect(r).to.be.instanceOf(RemoteError);
    expect([r.excType, r.value]).to.deep.equal(['VolumeNotFound', 'Volume v1 could not be found.']);
    const unknown = deserializeRemoteException(JSON.stringify({
      class: 'NoSuchThing', module: 'cinder.exception', message: 'm', tb: [], args: [], kwargs: {},
    }), [CINDER_EXCEPTIONS]) as RemoteError;
    expect([unknown.constructor, unknown.excType, unknown.value]).to.deep.equal([RemoteError, 'NoSuchThing', 'm']);
    // A name the module exports but that is no exception of it (a helper, a base of another module).
    const helper = deserializeRemoteException(JSON.stringify({
      class: 'formatTemplate', module: 'cinder.exception', message: 'm', tb: [], args: [], kwargs: {},
    }), [new ExceptionModule('cinder.exception', { formatTemplate: () => 'x', VolumeNotFound: novaException.VolumeNotFound })]);
    expect(helper).to.be.instanceOf(RemoteError);
    const py = deserializeRemoteException(JSON.stringify({
      class: 'ValueError', module: 'builtins', message: 'boom', tb: ['Traceback\n', 'ValueError: boom\n'], args: ['boom'], kwargs: {},
    })) as RemoteError;
    expect(py).to.be.instanceOf(RemoteError);
    expect([py.excType, py.value]).to.deep.equal(['ValueError', 'boom']);
    expect(py.traceback).to.deep.equal(['Traceback\n', 'ValueError: boom\n']);
    expect(py.message).to.equal("Remote error: ValueError boom\n['Traceback\\n', 'ValueError: boom\\n'].");
  });

  it('rebuilds classes without fromRemote, and the RPC layer\'s own when their module is allowed', () => {
    const v = deserializeRemoteException(serializeRemoteException(new ValueError('boom')), [new ExceptionModule('builtins', { ValueError })]);
    expect(v).to.be.instanceOf(ValueError);
    expect(v.message).to.equal('boom');
    const allowed = [new ExceptionModule('oslo_messaging.rpc.dispatcher', { NoSuchMethod })];
    const n = deserializeRemoteException(serializeRemoteException(new NoSuchMethod('frob')), allowed);
    expect(n).to.be.instanceOf(NoSuchMethod);
    expect(n.message).to.equal('Endpoint does not support RPC method frob');
    expect(new MessagingTimeout('abc').message).to.equal('Timed out waiting for a reply to message ID abc');
  });
});
