// Key pair views (nova views/keypairs.py): a list entry shows name, public_key, fingerprint; a
// create adds user_id (and the private key of a generated pair); a show adds the row's id,
// timestamps and deleted (always false: the table has no soft delete). type from 2.2.
import { pyDateTime } from '../../common/api';
import type { KeyPair } from '../../nova-common/entities';

/** Nova's datetime as its JSON has it: microseconds, no zone. */
const time = pyDateTime;

export function keypairListEntry(k: KeyPair, withType: boolean): Record<string, unknown> {
  return { keypair: { name: k.name, public_key: k.publicKey, fingerprint: k.fingerprint, ...(withType ? { type: k.type } : {}) } };
}

export function keypairCreated(k: KeyPair, privateKey: string | null, withType: boolean): Record<string, unknown> {
  return {
    keypair: {
      ...(privateKey !== null ? { private_key: privateKey } : {}), ...(withType ? { type: k.type } : {}),
      name: k.name, public_key: k.publicKey, fingerprint: k.fingerprint, user_id: k.userId,
    },
  };
}

export function keypairShown(k: KeyPair, withType: boolean): Record<string, unknown> {
  return {
    keypair: {
      name: k.name, public_key: k.publicKey, fingerprint: k.fingerprint, user_id: k.userId, created_at: time(k.createdAt),
      deleted: false, deleted_at: null, id: k.id, updated_at: time(k.updatedAt), ...(withType ? { type: k.type } : {}),
    },
  };
}
