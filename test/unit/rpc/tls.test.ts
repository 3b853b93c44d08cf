// [oslo_messaging_rabbit] ssl* → Node TLS options, checked against a real TLS listener with a
// private CA: the chain is always verified (ssl_ca_file, else the system's roots), the host
// name only with ssl_enforce_hostname_verification, and the rabbit transport really speaks
// TLS with those options (amqps).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../common/config';
import { MESSAGING_OPTS } from '../../../common/config/messaging-opts';
import { tlsSocketOptions } from '../../../common/rpc/drivers/rabbit/tls';
import { getRpcTransport, rabbitTransportOptions } from '../../../common/rpc';
import { requireTool } from '../../support/servers';
import { waitFor } from '../../support/processes';

describe('TLS to the broker (ssl options)', function () {
  this.timeout(20_000);
  let dir = '';
  let server: tls.Server;
  let port = 0;
  let handshakes = 0;
  const file = (n: string): string => join(dir, n);

  before(async function () {
    await requireTool(this, 'openssl', 'openssl');
    dir = mkdtempSync(join(tmpdir(), 'tls-'));
    const ssl = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' }); };
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=attachd test CA');
    ssl('req', ...ec, '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=broker.test');
    // The broker's certificate names broker.test only: not 127.0.0.1, the address we dial.
    writeFileSync(file('ext'), 'subjectAltName=DNS:broker.test\n');
    ssl('x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'broker.pem', '-days', '2', '-extfile', 'ext');
    server = tls.createServer({ key: readFileSync(file('broker.key')), cert: readFileSync(file('broker.pem')) }, (s) => {
      handshakes++;
      s.destroy();
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise((r) => server?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Whether a TLS handshake with these options succeeds against the test listener. */
  const handshake = (o: tls.ConnectionOptions): Promise<string> => new Promise((resolve) => {
    const s = tls.connect({ ...o, host: '127.0.0.1', port }, () => { s.destroy(); resolve('ok'); });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });

  it('verifies the chain against ssl_ca_file, not the host name (oslo\'s default)', async () => {
    expect(await handshake(tlsSocketOptions({ caFile: file('ca.pem') }, '127.0.0.1'))).to.equal('ok');
  });

  it('ssl_enforce_hostname_verification: a certificate for another name is refused', async () => {
    const r = await handshake(tlsSocketOptions({ caFile: file('ca.pem'), enforceHostnameVerification: true }, '127.0.0.1'));
    expect(r).to.equal('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await handshake({ ...tlsSocketOptions({ caFile: file('ca.pem'), enforceHostnameVerification: true }, 'broker.test') })).to.equal('ok');
  });

  it('without ssl_ca_file the system roots decide: a private CA is refused', async () => {
    expect(await handshake(tlsSocketOptions({}, '127.0.0.1'))).to.match(/SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY/);
  });

  it('ssl_version pins the protocol; a bad one or an unreadable file is a clear error', async () => {
    expect(tlsSocketOptions({ version: 'tlsv1_2' }, 'h')).to.include({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', servername: 'h' });
    expect(tlsSocketOptions({ version: 'sslv23' }, '127.0.0.1')).not.to.have.any.keys('minVersion', 'servername');
    expect(await handshake(tlsSocketOptions({ caFile: file('ca.pem'), version: 'TLSv1_3' }, '127.0.0.1'))).to.equal('ok');
    expect(() => tlsSocketOptions({ version: 'sslv3' }, 'h')).to.throw(/ssl_version 'sslv3' is not one of/);
    expect(() => tlsSocketOptions({ caFile: file('missing.pem') }, 'h')).to.throw(/ssl_ca_file .*missing\.pem cannot be read: ENOENT/);
  });

  it('[oslo_messaging_rabbit] ssl = true: the rabbit transport connects over TLS with those options', async () => {
    const conf = loadConfig(MESSAGING_OPTS, {
      defaults: { oslo_messaging_rabbit: { ssl: true, ssl_ca_file: file('ca.pem'), ssl_version: 'tlsv1_2' } }, env: {},
    });
    const o = rabbitTransportOptions(conf);
    expect(o.tls).to.deep.equal({ version: 'tlsv1_2', keyFile: '', certFile: '', caFile: file('ca.pem'), enforceHostnameVerification: false });
    const before = handshakes;
    const t = getRpcTransport(`rabbit://u:p@127.0.0.1:${port}/`, { ...o, reconnectInitialMs: 50, reconnectMaxMs: 100 });
    try {
      // Our listener is no AMQP broker: the TLS handshake completes, then the connection ends.
      const ping = t.ping(5_000).then(() => 'up', () => 'down');
      await waitFor(() => handshakes > before, 5_000, 'a TLS handshake from the transport');
      await t.close();
      expect(await ping).to.equal('down');
    } finally {
      await t.close();
    }
    // Off: plain AMQP, no TLS options at all.
    expect(rabbitTransportOptions(loadConfig(MESSAGING_OPTS, { env: {} })).tls).to.equal(undefined);
  });
});
