// nova's Cinder REST client: token forwarded, faults translated as nova/volume/cinder.py does.
import { expect } from 'chai';
import Fastify, { type FastifyInstance } from 'fastify';
import { CinderConnectionFailed, Forbidden, InvalidInput, SnapshotNotFound, VolumeNotFound } from '../../../nova-common/exception';
import { CinderAPI } from '../../../nova-common/volume/cinder';
import { freePort } from '../../support/processes';

describe('nova CinderAPI client', () => {
  let app: FastifyInstance;
  let url = '';
  const seen: Array<{ path: string; token: unknown; body: unknown }> = [];
  before(async () => {
    app = Fastify();
    app.addHook('onRequest', async (req) => { seen.push({ path: req.url, token: req.headers['x-auth-token'], body: null }); });
    // As Cinder's volume view: attachments listed, no attach_status.
    app.get('/v3/p1/volumes/in-use', async () => ({ volume: { id: 'in-use', status: 'in-use', multiattach: true, attachments: [{ server_id: 's1', attachment_id: 'a1', device: '/dev/vdb' }] } }));
    app.get('/v3/p1/volumes/free', async () => ({ volume: { id: 'free', status: 'available', multiattach: true, attachments: [] } }));
    app.get('/v3/p1/volumes/missing', async (_req, reply) => reply.code(404).send({ itemNotFound: { code: 404, message: 'Volume missing could not be found.' } }));
    app.post('/v3/p1/volumes/v1/action', async (req, reply) => {
      seen[seen.length - 1].body = req.body;
      return reply.code(400).header('x-openstack-request-id', 'req-abc').send({ badRequest: { code: 400, message: 'Invalid volume: Volume status must be available to reserve, but the status is in-use.' } });
    });
    // Snapshot refusals (the os-snapshots proxy's calls).
    app.post('/v3/p1/snapshots', async (_req, reply) => reply.code(403).send({ forbidden: { code: 403, message: 'Policy doesn\'t allow volume:create_snapshot to be performed.' } }));
    app.delete('/v3/p1/snapshots/busy', async (_req, reply) => reply.code(400).send({ badRequest: { code: 400, message: 'Invalid snapshot: Snapshot status must be available or error and must not be part of a group.' } }));
    app.get('/v3/p1/snapshots/gone', async (_req, reply) => reply.code(404).send({ itemNotFound: { code: 404, message: 'Snapshot gone could not be found.' } }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v3/%(project_id)s`;
  });
  after(() => app.close());

  const caller = { projectId: 'p1', authToken: 'u1:p1' };

  it('maps 404 to VolumeNotFound and forwards the token', async () => {
    const err = await new CinderAPI(url).get(caller, 'missing').then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(VolumeNotFound);
    expect((err as Error).message).to.equal('Volume missing could not be found.');
    expect(seen.at(-1)).to.deep.include({ path: '/v3/p1/volumes/missing', token: 'u1:p1' });
  });

  it('maps 400 to InvalidInput with cinderclient\'s text', async () => {
    const err = await new CinderAPI(url).reserve(caller, 'v1').then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(InvalidInput);
    expect((err as Error).message).to.equal('Invalid input received: Invalid volume: Volume status must be available to reserve, but the status is in-use. (HTTP 400) (Request-ID: req-abc)');
    expect(seen.at(-1)?.body).to.deep.equal({ 'os-reserve': null });
  });

  it('derives attach_status from the attachments Cinder lists, as Nova\'s _untranslate_volume_summary_view', async () => {
    // The swap's "New volume must be detached in order to swap." reads it: an in-use multiattach
    // volume (one more legacy attachment would make it undetachable) must say attached.
    expect((await new CinderAPI(url).get(caller, 'in-use')).attach_status).to.equal('attached');
    expect((await new CinderAPI(url).get(caller, 'free')).attach_status).to.equal('detached');
  });

  it('maps a snapshot call\'s refusals as Nova does: 403 Forbidden, 400 InvalidInput, 404 SnapshotNotFound (never a 500)', async () => {
    const api = new CinderAPI(url);
    const failed = (p: Promise<unknown>): Promise<unknown> => p.then(() => null, (e: unknown) => e);
    const forbidden = await failed(api.createSnapshot(caller, 'v1', false, null, null));
    expect([forbidden instanceof Forbidden, (forbidden as { code?: number }).code]).to.deep.equal([true, 403]);
    expect((forbidden as Error).message).to.include("Policy doesn't allow volume:create_snapshot to be performed.");
    expect(await failed(api.deleteSnapshot(caller, 'busy'))).to.be.instanceOf(InvalidInput);
    const gone = await failed(api.getSnapshot(caller, 'gone'));
    expect([gone instanceof SnapshotNotFound, (gone as Error).message]).to.deep.equal([true, 'Snapshot gone could not be found.']);
  });

  it('maps an unreachable cinder-api to CinderConnectionFailed', async () => {
    const port = await freePort();
    const err = await new CinderAPI(`http://127.0.0.1:${port}/v3/%(project_id)s`, 2).get(caller, 'x').then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(CinderConnectionFailed);
  });
});
