// The all-in-one's own secrets, made at first start and kept in its data directory with mode
// 600: the token signing secret of the embedded identity, and the admin password (only its
// scrypt hash is kept; the password itself is shown once, or comes from ATTACHD_ADMIN_PASSWORD).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTokenSecret, hashPassword } from '../common/api';

const SECRET_FILE = 'token_secret';
const ADMIN_FILE = 'admin_password.scrypt';

function readSecretFile(path: string): string | null {
  if (!existsSync(path)) return null;
  return readFileSync(path, 'utf8').trim() || null;
}

function writeSecretFile(path: string, text: string): void {
  // Created 600 from the start (no window where another user could read it).
  writeFileSync(path, `${text}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

/** The embedded identity's signing secret: `<dataDir>/token_secret`, created random at first start. */
export function ensureTokenSecret(dataDir: string): string {
  const path = join(dataDir, SECRET_FILE);
  let secret = readSecretFile(path);
  if (!secret) {
    secret = randomBytes(32).toString('base64url');
    writeSecretFile(path, secret);
  }
  checkTokenSecret(secret);
  return secret;
}

/**
 * The admin user's password hash. `given` (config or ATTACHD_ADMIN_PASSWORD) wins and is not
 * stored; otherwise the hash kept from the first start, or a new random password whose clear
 * text is returned once so it can be shown.
 */
export function ensureAdminPassword(dataDir: string, given: string | null): { hash: string | null; firstStartPassword: string | null } {
  if (given) return { hash: null, firstStartPassword: null };
  const path = join(dataDir, ADMIN_FILE);
  const kept = readSecretFile(path);
  if (kept) return { hash: kept, firstStartPassword: null };
  const password = randomBytes(15).toString('base64url');
  const hash = hashPassword(password, randomBytes(16).toString('base64url'));
  writeSecretFile(path, hash);
  return { hash, firstStartPassword: password };
}
