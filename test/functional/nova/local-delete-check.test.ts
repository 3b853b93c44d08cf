// A server deleted without its compute (nova-api's local delete) while Cinder checks attachment
// deletes with Nova (OSSA-2023-003) and no service token is sent: a fuzz run found the volume
// left in-use, attached to a server that was gone. Cinder asked nova-api whether the server
// still held the attachment, and it did: the local delete released before it dropped the row.
import { expect } from 'chai';
import type { NovaDB } from '../../../nova-common/db-api';
import { VM_STATES } from '../../../nova-common/objects';
import { startCinder, type Cinder } from '../cinder/cinder-stack';
import { freePort, waitFor } from '../../support/processes';
import { activeServer, startNova, type Nova } from './harness';

describe("a local server delete under Cinder's attachment-deletion check, no service token", function () {
  this.timeout(60_000);
  let cinder: Cinder;
  let nova: Nova;
  let db: NovaDB;

  beforeEach(async () => {
    const port = await freePort();
    cinder = await startCinder({ DEFAULT: { rpc_response_timeout: 3 }, nova: { endpoint_template: `http://127.0.0.1:${port}/v2.1` } });
    nova = await startNova({ DEFAULT: { osapi_compute_listen: '127.0.0.1', osapi_compute_listen_port: port }, cinder: { endpoint: `${cinder.api.url}/v3/%(project_id)s` } });
    db = (nova.api.compute as unknown as { o: { db: NovaDB } }).o.db;
  });
  afterEach(async () => {
    await nova?.stop();
    await cinder?.stop().catch(() => undefined);
  });

  it('releases the attachment, so the volume is available and the server gone', async () => {
    const sid = await activeServer(nova, 'local');
    const vid = await cinder.createVolume();
    expect((await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: vid } } })).status).to.equal(200);
    await waitFor(async () => (await cinder.show(vid)).status === 'in-use' && (await db.bdmByVolumeAndInstance(vid, sid))?.attachState === null, 15_000, 'attached', 20);
    // In error, the server is deleted by nova-api itself.
    await db.instances.update({ uuid: sid }, { vmState: VM_STATES.ERROR });
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    expect((await nova.req('GET', `/v2.1/servers/${sid}`)).status).to.equal(404);
    const v = await cinder.show(vid, 'admin:demo');
    expect([v.status, v.attachments]).to.deep.equal(['available', []]);
  });
});
