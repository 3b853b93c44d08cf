// Listening and stopping, as both API services do it: HTTP closes first, then whatever the
// service opened for itself (its transport, its database pool) is released.
import type { FastifyInstance } from 'fastify';
import { getLogger } from '../log';
import type { LocalRoutes } from './local-fetch';

export interface ServedApi {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Listen on host:port (0: any free port) and log "Started <name> on <url>" (what process
 * supervisors and tests wait for). A failed listen releases too, then rethrows. With `local`,
 * callers in this process reach the API through it without a socket while it serves.
 */
export async function serveApi(app: FastifyInstance, name: string, host: string, port: number, release: () => Promise<void>,
  local?: LocalRoutes): Promise<ServedApi> {
  try {
    await app.listen({ host, port });
  } catch (e) {
    await release().catch(() => undefined);
    throw e;
  }
  const actual = (app.server.address() as { port: number }).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
  getLogger(name).info(`Started ${name} on ${url}`);
  const unroute = local?.add(url, app);
  return {
    url, port: actual,
    async stop() {
      unroute?.();
      await app.close();
      await release();
    },
  };
}
