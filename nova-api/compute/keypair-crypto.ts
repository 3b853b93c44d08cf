// What Nova's crypto.py does for key pairs: an ssh public key's fingerprint (MD5 of its blob,
// after checking the key parses), an x509 certificate's (SHA-1 of its DER), and new pairs: an
// RSA 2048 ssh key (the private key as PKCS#1 PEM, "Generated-by-Nova" on the public one) or a
// self-signed client certificate made by openssl as Nova does (its private key as a base64
// PKCS#12 with an empty password).
import { execFile } from 'node:child_process';
import { createHash, generateKeyPair, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InvalidKeypair } from '../../nova-common/exception';

const run = promisify(execFile);
const colons = (hex: string): string => hex.match(/../g)?.join(':') ?? '';

/** The SSH wire format's fields (RFC 4253: uint32 length + bytes), or null when the blob does not parse. */
function sshFields(blob: Buffer): Buffer[] | null {
  const out: Buffer[] = [];
  for (let at = 0; at < blob.length;) {
    if (at + 4 > blob.length) return null;
    const n = blob.readUInt32BE(at);
    if (at + 4 + n > blob.length) return null;
    out.push(blob.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return out;
}

const CURVES: Record<string, number> = { nistp256: 65, nistp384: 97, nistp521: 133 };

/** Whether the blob is a well-formed public key of its named type (what cryptography's load_ssh_public_key checks). */
function wellFormed(type: string, blob: Buffer): boolean {
  const f = sshFields(blob);
  if (!f || f[0]?.toString('latin1') !== type) return false;
  if (type === 'ssh-rsa') return f.length === 3 && f[1].length > 0 && f[2].length > 1;
  if (type === 'ssh-dss') return f.length === 5 && f.slice(1).every((x) => x.length > 0);
  if (type === 'ssh-ed25519') return f.length === 2 && f[1].length === 32;
  const curve = /^ecdsa-sha2-(nistp\d+)$/.exec(type)?.[1];
  return !!curve && f.length === 3 && f[1].toString('latin1') === curve && f[2].length === CURVES[curve] && f[2][0] === 4;
}

const B64 = /[A-Za-z0-9+/]/;

/**
 * Python's lenient base64 decode (binascii.a2b_base64, what b64decode does by default): other
 * characters are skipped, a group's padding ends the data, a group cut short is an error (null).
 */
export function pyB64Decode(text: string): Buffer | null {
  let data = '';
  let pads = 0;
  for (const c of text) {
    if (c === '=') {
      const pos = data.length % 4;
      if (pos >= 2 && pos + ++pads >= 4) return Buffer.from(data, 'base64');
    } else if (B64.test(c)) {
      data += c;
      pads = 0;
    }
  }
  return data.length % 4 === 0 ? Buffer.from(data, 'base64') : null;
}

/** cryptography's one-line OpenSSH format: the type, then spaces or tabs, then the base64 body (Python's bytes \S). */
const SSH_LINE = /^([^ \t\n\r\f\v]+)[ \t]+([^ \t\n\r\f\v]+)/;

/**
 * Nova's generate_fingerprint: the key must load as cryptography's load_ssh_public_key loads it
 * (no leading blank, a well-formed blob of its named type); the fingerprint is then aa:bb:… of
 * the MD5 of what base64-decodes from the text after the first single space, as Nova takes it.
 */
export function sshFingerprint(publicKey: string): string {
  const m = SSH_LINE.exec(publicKey);
  const blob = m ? pyB64Decode(m[2]) : null;
  const second = publicKey.split(' ')[1];
  const fpData = m && blob && wellFormed(m[1], blob) && second !== undefined ? pyB64Decode(second) : null;
  if (!fpData) throw new InvalidKeypair({ reason: 'failed to generate fingerprint' });
  return colons(createHash('md5').update(fpData).digest('hex'));
}

/** Nova's generate_x509_fingerprint: aa:bb:… of the SHA-1 of the certificate. */
export function x509Fingerprint(pem: string): string {
  try {
    return colons(new X509Certificate(pem).fingerprint.replace(/:/g, '').toLowerCase());
  } catch (e) {
    throw new InvalidKeypair({ reason: `failed to generate X509 fingerprint. Error message: ${(e as Error).message}` });
  }
}

const sshString = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, i) => (b.length >>> (24 - 8 * i)) & 255)), b]);
/** An SSH mpint from a JWK's base64url big-endian unsigned integer (a leading zero when the top bit is set). */
const mpint = (b64url: string): Buffer => {
  const raw = Buffer.from(b64url, 'base64url');
  return sshString(raw[0] & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw);
};

/** A new RSA 2048 ssh key pair, as paramiko writes it for Nova. */
export async function generateSshKeyPair(): Promise<{ privateKey: string; publicKey: string; fingerprint: string }> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'jwk' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  } as never) as unknown as { privateKey: string; publicKey: { n: string; e: string } };
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(publicKey.e), mpint(publicKey.n)]);
  const pub = `ssh-rsa ${blob.toString('base64')} Generated-by-Nova`;
  return { privateKey, publicKey: pub, fingerprint: sshFingerprint(pub) };
}

/** Nova's generate_winrm_x509_cert: a self-signed client certificate for user_id, by openssl. */
export async function generateX509KeyPair(userId: string): Promise<{ privateKey: string; publicKey: string; fingerprint: string }> {
  // An admin may name any user_id (2.10): no control character reaches openssl's config file,
  // and the subject's own separators are escaped, so no id can break or extend either.
  const printable = userId.replace(/[^\x20-\x7e]/g, '?');
  // X.509 bounds a common name to 64 characters; openssl refuses a longer one (Nova's 500).
  if (printable.length > 64) throw new InvalidKeypair({ reason: `failed to generate X509 certificate: the user id is longer than a certificate's common name allows (64)` });
  const subject = `/CN=${printable.replace(/[\\/+=,]/g, (c) => `\\${c}`)}`;
  const dir = await mkdtemp(join(tmpdir(), 'nova-x509-'));
  try {
    const [key, conf] = [join(dir, 'temp.key'), join(dir, 'temp.conf')];
    await writeFile(conf, 'distinguished_name  = req_distinguished_name\n[req_distinguished_name]\n[v3_req_client]\n'
      + `extendedKeyUsage = clientAuth\nsubjectAltName = otherName:1.3.6.1.4.1.311.20.2.3;UTF8:${printable.replace(/[,;$#\\"]/g, '?')}@localhost\n`, { mode: 0o600 });
    const { stdout: cert } = await run('openssl', ['req', '-x509', '-nodes', '-days', '3650', '-config', conf, '-newkey', 'rsa:2048',
      '-outform', 'PEM', '-keyout', key, '-subj', subject, '-extensions', 'v3_req_client'], { timeout: 60_000 });
    const p12 = await pkcs12(key, cert);
    return { privateKey: p12.toString('base64'), publicKey: cert, fingerprint: x509Fingerprint(cert) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** openssl pkcs12 -export of the certificate (on stdin) with its key file, under an empty password. */
function pkcs12(keyFile: string, cert: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', ['pkcs12', '-export', '-inkey', keyFile, '-password', 'pass:'], { encoding: 'buffer', timeout: 60_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)));
    child.stdin?.end(cert);
  });
}

