// The openstack CLI's volume attach path (openstacksdk at compute 2.89 / volume 3.60) against
// nova-api and the real cinder-api mounted under /compute and /volume of one app, as the
// all-in-one serves them.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createApiApp, noauth2, type FastifyInstance } from '../../../common/api';
import { identityRoutes, parseUsers } from '../../../nova-api/stubs/keystone';
import { cinderApiPlugin, createVolumeApi } from '../../../cinder-api/main';
import { novaApiPlugin, novaUnexpectedMessage } from '../../../nova-api/app';
import { createComputeApi } from '../../../nova-api/main';
import { freePort, waitFor } from '../../support/processes';
import { startCinder, type Cinder } from '../../functional/cinder/cinder-stack';
import { activeServer, startNova, type Nova } from '../../functional/nova/harness';
import { requireTool } from '../../support/servers';
import { cliEnv } from '../../support/cli-env';

const run = promisify(execFile);

describe('openstack server add/remove volume (SDK) against nova + real cinder', function () {
  this.timeout(120_000);
  let cinder: Cinder;
  let nova: Nova;
  let app: FastifyInstance;
  let env: Record<string, string>;

  before(async function () {
    await requireTool(this, 'openstack', 'python3-openstackclient');
    cinder = await startCinder();
    app = createApiApp({ name: 'test.all', auth: noauth2, requestIdHeaders: ['x-compute-request-id'], unexpectedMessage: novaUnexpectedMessage });
    identityRoutes(app, { users: parseUsers(['demo:secret:demo']), secret: 's', mode: 'noauth2' });
    const port = await freePort();
    nova = await startNova({ cinder: { endpoint: `http://127.0.0.1:${port}/volume/v3/%(project_id)s` } });
    await app.register(novaApiPlugin, { prefix: '/compute', compute: createComputeApi(nova.conf, nova.ds, nova.transport) });
    await app.register(cinderApiPlugin, { prefix: '/volume', volumes: createVolumeApi(cinder.conf, cinder.ds, cinder.transport) });
    await app.listen({ host: '127.0.0.1', port });
    env = cliEnv(`http://127.0.0.1:${port}/identity/v3`, 'demo', 'secret', 'demo');
  });
  after(async () => {
    await app?.close();
    await nova?.stop();
    await cinder?.stop();
  });

  it('attaches by names and detaches', async () => {
    await activeServer(nova, 'srv1');
    const vid = await cinder.createVolume(1, 'demo:demo', 'v1');
    const add = await run('openstack', ['server', 'add', 'volume', 'srv1', 'v1', '--device', '/dev/vdb'], { env, timeout: 60_000 }).catch((e: { stderr: string }) => e);
    expect((add as { stderr: string }).stderr ?? '').to.not.match(/Error|Exception/);
    await waitFor(async () => (await cinder.show(vid)).status === 'in-use', 15_000, 'in-use', 100);
    const rm = await run('openstack', ['server', 'remove', 'volume', 'srv1', 'v1'], { env, timeout: 60_000 }).catch((e: { stderr: string }) => e);
    expect((rm as { stderr: string }).stderr ?? '').to.not.match(/Error|Exception/);
    await waitFor(async () => (await cinder.show(vid)).status === 'available', 15_000, 'available', 100);
  });

  it('openstack quota show: the compute and the volume quotas of the project in one table', async () => {
    const r = await run('openstack', ['quota', 'show', '-f', 'json'], { env, timeout: 60_000 });
    const q = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(q).to.include({ instances: 10, cores: 20, ram: 51200, 'server-groups': 10, project_name: 'demo' });
    expect(q.volumes).to.be.a('number');
    expect(q.gigabytes).to.be.a('number');
  });
});
