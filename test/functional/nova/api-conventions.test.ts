// nova-api conventions where real Nova's decide the result (docs/architecture.md, REST conventions):
// list pagination as common.limited() and the 2.75 query schema; unversioned paths answer 300
// with the choices. (The attach's order of checks is the seed's: "reserve the device" first, docs/attach-detach.md.)
import { expect } from 'chai';
import { activeServer, novaWithCinderFixture } from './harness';

describe('nova-api: Nova\'s conventions', function () {
  this.timeout(30_000);
  const s = novaWithCinderFixture();
  const attach = (sid: string, volumeId: string, device?: string) =>
    s.nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: device ? { volumeId, device } : { volumeId } } });

  it('list: limit 0 means max_limit, a repeated parameter uses its last value, each value checked', async () => {
    const sid = await activeServer(s.nova, 'pages');
    const vols = [s.cinder.create('demo'), s.cinder.create('demo'), s.cinder.create('demo')];
    for (const v of vols) expect((await attach(sid, v.id)).status).to.equal(200);
    const list = (q: string, version?: string) => s.nova.req('GET', `/v2.1/servers/${sid}/os-volume_attachments${q}`, { version });
    expect((await list('?limit=0')).body.volumeAttachments).to.have.length(3);
    expect((await list('?limit=0&limit=2')).body.volumeAttachments).to.have.length(2);
    expect((await list('?offset=1&limit=1')).body.volumeAttachments.map((a: { volumeId: string }) => a.volumeId)).to.deep.equal([vols[1].id]);
    const bad = await list('?limit=2&limit=-1');
    expect(bad.status).to.equal(400);
    expect(bad.body.badRequest.message).to.equal("Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'");
  });

  it('list from 2.75: unknown query parameters are an error of the query itself (no field named)', async () => {
    const sid = await activeServer(s.nova, 'strict');
    const r = await s.nova.req('GET', `/v2.1/servers/${sid}/os-volume_attachments?foo=1&bar=2`, { version: '2.75' });
    expect(r.status).to.equal(400);
    expect(r.body).to.deep.equal({ badRequest: { code: 400, message: "Additional properties are not allowed ('bar', 'foo' were unexpected)" } });
    expect((await s.nova.req('GET', `/v2.1/servers/${sid}/os-volume_attachments?foo=1`, { version: '2.74' })).status).to.equal(200);
  });

  it('every route under /v2.1/{project_id} refuses a project that is not the caller\'s (ips, flavor extra specs too)', async () => {
    const sid = await activeServer(s.nova, 'urlproject');
    const message = "Malformed request URL: URL's project_id 'other' doesn't match Context's project_id 'demo'";
    for (const path of [`/servers/${sid}`, `/servers/${sid}/ips`, `/servers/${sid}/ips/private`, '/flavors/1', '/flavors/1/os-extra_specs', `/servers/${sid}/os-volume_attachments`]) {
      const r = await s.nova.req('GET', `/v2.1/other${path}`);
      expect(r.status, path).to.equal(400);
      expect(r.body.badRequest.message, path).to.equal(message);
      expect((await s.nova.req('GET', `/v2.1/demo${path}`)).status, path).to.be.oneOf([200, 404]);
    }
  });

  it('unversioned paths other than / answer 300 with the choices, without a token', async () => {
    const r = await fetch(`${s.nova.api.url}/foo/bar/`);
    expect(r.status).to.equal(300);
    expect(r.headers.get('openstack-api-version')).to.equal(null);
    const base = s.nova.api.url;
    expect(await r.json()).to.deep.equal({
      choices: [
        { id: 'v2.0', status: 'SUPPORTED', links: [{ rel: 'self', href: `${base}/v2/foo/bar` }],
          'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2' }] },
        { id: 'v2.1', status: 'CURRENT', links: [{ rel: 'self', href: `${base}/v2.1/foo/bar` }],
          'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }] },
      ],
    });
    // Under a version the API's own 404 (and the token check) still apply.
    expect((await fetch(`${base}/v2.1/foo`)).status).to.equal(401);
    expect((await s.nova.req('GET', '/v2.1/foo')).status).to.equal(404);
    expect((await fetch(`${base}/identity/nowhere`)).status).to.equal(401);
  });

  it('deeply nested JSON is a 400 with a bounded message, never a 500 (metadata, attach, top level)', async () => {
    const sid = await activeServer(s.nova, 'deep');
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    for (const [method, path, body] of [
      ['PUT', `/v2.1/servers/${sid}/metadata`, `{"metadata": ${deep(5000)}}`],
      ['POST', `/v2.1/servers/${sid}/os-volume_attachments`, `{"volumeAttachment": {"volumeId": ${deep(5000)}}}`],
      ['PUT', `/v2.1/servers/${sid}/metadata`, deep(20_000)],
    ] as const) {
      const r = await s.nova.req(method, path, { body });
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.body).slice(0, 200)}`).to.equal(400);
      expect(r.body.badRequest.message.length).to.be.below(2000);
    }
  });
});
