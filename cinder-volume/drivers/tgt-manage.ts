// The tgt driver's manage steps on its files in volumes_dir, one kind at a time: a volume takes
// any plain file but a snapshot's or tgtd's, a snapshot only a `snapshot-*` file. Taking one is
// a rename, as LVM's lvrename (the data stays where it is), never onto an existing file.
import type { Stats } from 'node:fs';
import { lstat, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ManageExistingInvalidReference } from '../../cinder-common/exception';

export type Kind = 'volume' | 'snapshot';
export const GiB = 1024 ** 3;

const TEXTS: Record<Kind, { name: string; missing: string; notFile: string }> = {
  volume: { name: 'Reference must name a volume file of this backend.', missing: 'Specified logical volume does not exist.', notFile: 'Specified logical volume is not a regular file.' },
  snapshot: { name: 'Reference must name a snapshot file of this backend.', missing: 'Specified snapshot does not exist.', notFile: 'Specified snapshot is not a regular file.' },
};

function invalidRef(ref: unknown, reason: string): ManageExistingInvalidReference {
  return new ManageExistingInvalidReference({ existing_ref: JSON.stringify(ref), reason });
}

export async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** The file `ref` names: a plain name (no path out of `dir`, nothing hidden) of the kind's files. */
export function sourcePath(dir: string, kind: Kind, ref: unknown): string {
  const name = (ref as Record<string, unknown> | null)?.['source-name'];
  if (typeof ref !== 'object' || typeof name !== 'string') throw invalidRef(ref, 'Reference must contain source-name element.');
  const ofKind = kind === 'snapshot' ? name.startsWith('snapshot-') : !/^(snapshot|tgtd)-/.test(name);
  if (!name || name.startsWith('.') || /[/\0]/.test(name) || !ofKind) throw invalidRef(ref, TEXTS[kind].name);
  return join(dir, name);
}

/** Bytes of the regular file `ref` names; an invalid reference when there is none. */
export async function sourceSize(dir: string, kind: Kind, ref: unknown): Promise<number> {
  const st = await lstatOrNull(sourcePath(dir, kind, ref));
  if (!st) throw invalidRef(ref, TEXTS[kind].missing);
  if (!st.isFile()) throw invalidRef(ref, TEXTS[kind].notFile);
  return st.size;
}

/** The file `ref` names renamed to `dst` (the `id`'s own); a redo (`dst` there, the source gone) succeeds. */
export async function takeFile(dir: string, kind: Kind, ref: unknown, dst: string, id: string): Promise<void> {
  const src = sourcePath(dir, kind, ref);
  if (!(await lstatOrNull(src)) && (await lstatOrNull(dst))?.isFile()) return;
  await sourceSize(dir, kind, ref);
  if (src === dst) return;
  // rename would replace it: never lose what the object already has (lvrename refuses too).
  if (await lstatOrNull(dst)) throw invalidRef(ref, `${kind === 'volume' ? 'Volume' : 'Snapshot'} ${kind}-${id} already exists on the backend.`);
  await rename(src, dst);
}
