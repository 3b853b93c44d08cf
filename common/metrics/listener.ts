// GET /metrics on its own port, for the daemons without an API listener (nova-compute,
// cinder-volume): [metrics] port, bound to [metrics] host (loopback by default).
import { createServer, type Server } from 'node:http';
import { getLogger } from '../log';
import { exposition } from './registry';

export interface MetricsListener {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startMetricsListener(name: string, host: string, port: number): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(path === '/metrics' ? 405 : 404, { 'Content-Type': 'text/plain' }).end(path === '/metrics' ? 'Method Not Allowed\n' : 'Not Found\n');
      return;
    }
    exposition().then(({ contentType, body }) => {
      res.writeHead(200, { 'Content-Type': contentType }).end(req.method === 'HEAD' ? undefined : body);
    }, (e: unknown) => {
      getLogger(name).warning(`/metrics failed: ${(e as Error).message}`);
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics collection failed\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as { port: number }).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}/metrics`;
  getLogger(name).info(`Serving metrics on ${url}`);
  return {
    url, port: actual,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
