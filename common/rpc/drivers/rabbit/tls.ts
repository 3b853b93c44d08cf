// [oslo_messaging_rabbit] ssl* options as Node TLS socket options for amqplib, with the
// meaning oslo (kombu / py-amqp) gives them:
// - the broker's certificate chain is always verified: against ssl_ca_file when set, else the
//   system's roots (py-amqp's TLS client context is CERT_REQUIRED);
// - its host name only with ssl_ca_file and ssl_enforce_hostname_verification (oslo's default
//   is not to);
// - ssl_version pins one protocol version (tlsv1_2 → TLS 1.2 only); empty or sslv23: negotiate;
// - ssl_cert_file / ssl_key_file: our client certificate.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions, SecureVersion } from 'node:tls';
import { MessagingError } from '../../errors';

export interface RabbitTlsOptions {
  /** ssl_version: tlsv1, tlsv1_1, tlsv1_2, tlsv1_3, sslv23 (or empty). */
  version?: string;
  keyFile?: string;
  certFile?: string;
  caFile?: string;
  enforceHostnameVerification?: boolean;
}

const VERSIONS: Record<string, SecureVersion | null> = {
  '': null, sslv23: null, tls: null,
  tlsv1: 'TLSv1', tlsv1_1: 'TLSv1.1', tlsv1_2: 'TLSv1.2', tlsv1_3: 'TLSv1.3',
};

/** The ssl_version names we accept (Python's ssl module spelling, case-insensitive). */
export const SSL_VERSIONS = Object.keys(VERSIONS).filter((v) => v !== '');

function read(file: string, option: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new MessagingError(`[oslo_messaging_rabbit] ${option} ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Socket options for tls.connect() towards `hostname` (read when a connection is opened). */
export function tlsSocketOptions(o: RabbitTlsOptions, hostname: string): ConnectionOptions {
  const version = (o.version ?? '').toLowerCase();
  if (!(version in VERSIONS)) {
    throw new MessagingError(`[oslo_messaging_rabbit] ssl_version '${o.version ?? ''}' is not one of ${SSL_VERSIONS.join(', ')}`);
  }
  const opts: ConnectionOptions = { rejectUnauthorized: true };
  const pinned = VERSIONS[version];
  if (pinned) {
    opts.minVersion = pinned;
    opts.maxVersion = pinned;
  }
  if (o.caFile) opts.ca = read(o.caFile, 'ssl_ca_file');
  if (o.certFile) opts.cert = read(o.certFile, 'ssl_cert_file');
  if (o.keyFile) opts.key = read(o.keyFile, 'ssl_key_file');
  // SNI carries names only, never an address.
  if (!isIP(hostname)) opts.servername = hostname;
  if (!(o.caFile && o.enforceHostnameVerification)) opts.checkServerIdentity = () => undefined;
  return opts;
}
