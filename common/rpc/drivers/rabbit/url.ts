// rabbit:// URLs as oslo accepts them: several comma-separated hosts (failover order), each
// with its own credentials, one virtual host for all.
import { MessagingError } from '../../errors';

export interface RabbitHost {
  hostname: string;
  port: number;
  username: string;
  password: string;
}

export interface RabbitUrl {
  hosts: RabbitHost[];
  vhost: string;
  /** Query parameters (e.g. heartbeat=...) kept for the connection. */
  query: Record<string, string>;
}

export function parseRabbitUrl(url: string): RabbitUrl {
  const m = /^([a-z0-9+]+):\/\/(.*)$/i.exec(url);
  if (!m) throw new MessagingError('invalid transport URL');
  let rest = m[2];
  const query: Record<string, string> = {};
  const q = rest.indexOf('?');
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(rest.slice(q + 1))) query[k] = v;
    rest = rest.slice(0, q);
  }
  // The vhost starts at the first '/' after the last credentials.
  const at = rest.lastIndexOf('@');
  const slash = rest.indexOf('/', at + 1);
  const hostPart = slash >= 0 ? rest.slice(0, slash) : rest;
  const vhostRaw = slash >= 0 ? rest.slice(slash + 1) : '';
  const vhost = vhostRaw === '' ? '/' : decodeURIComponent(vhostRaw);
  let lastUser = 'guest';
  let lastPass = 'guest';
  const hosts = hostPart.split(',').filter((h) => h !== '').map((h): RabbitHost => {
    let creds: string | null = null;
    let addr = h;
    const i = h.lastIndexOf('@');
    if (i >= 0) {
      creds = h.slice(0, i);
      addr = h.slice(i + 1);
    }
    if (creds !== null) {
      const c = creds.indexOf(':');
      lastUser = decodeURIComponent(c >= 0 ? creds.slice(0, c) : creds);
      lastPass = c >= 0 ? decodeURIComponent(creds.slice(c + 1)) : '';
    }
    let hostname = addr;
    let port = 5672;
    const v6 = /^\[(.*)\](?::(\d+))?$/.exec(addr);
    if (v6) {
      hostname = v6[1];
      if (v6[2]) port = Number(v6[2]);
    } else {
      const c = addr.lastIndexOf(':');
      if (c >= 0) {
        hostname = addr.slice(0, c);
        port = Number(addr.slice(c + 1));
      }
    }
    if (!hostname || !Number.isInteger(port)) throw new MessagingError('invalid host in transport URL');
    return { hostname, port, username: lastUser, password: lastPass };
  });
  if (!hosts.length) hosts.push({ hostname: 'localhost', port: 5672, username: 'guest', password: 'guest' });
  return { hosts, vhost, query };
}
