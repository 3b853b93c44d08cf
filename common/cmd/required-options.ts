// Options with no usable default (transport_url, [database] connection): a daemon or manage
// command without them stops with one line naming them and where it looked, instead of running
// on a default that reaches no other process.
import type { Schema } from '../config';
import { ConfigError } from '../exception';

export type OptionRef = readonly [group: string, name: string];

/** Every option the schema marks `required`. */
export function requiredOptions(schema: Schema): OptionRef[] {
  return Object.entries(schema).flatMap(([group, opts]) =>
    Object.entries(opts).filter(([, spec]) => spec.required).map(([name]) => [group, name] as const));
}

const andList = (items: string[]): string => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

/** Throws one ConfigError line naming the unset options of `which`, the files and the env variables. */
export function checkRequiredOptions(schema: Schema, conf: unknown, configFiles: readonly string[], which: readonly OptionRef[] = requiredOptions(schema)): void {
  const values = conf as Record<string, Record<string, unknown>>;
  const unset = which.filter(([g, n]) => values[g]?.[n] === null || values[g]?.[n] === undefined || values[g]?.[n] === '');
  if (!unset.length) return;
  const names = andList(unset.map(([g, n]) => `[${g}] ${n}`));
  const envs = unset.map(([g, n]) => schema[g]?.[n]?.env).filter((e): e is string => !!e);
  const where = configFiles.length ? ` in ${configFiles.join(', ')}` : ': no --config-file given';
  const orEnv = envs.length ? ` (or the environment variable${envs.length > 1 ? 's' : ''} ${andList(envs)})` : '';
  throw new ConfigError(`${names} ${unset.length > 1 ? 'are' : 'is'} not set${where}${orEnv}`);
}

/** fake:// lives inside one process: a separate daemon on it would wait for peers that never come. */
export function refuseFakeTransport(url: unknown): void {
  if (typeof url === 'string' && /^fake:/i.test(url.trim())) {
    throw new ConfigError('[DEFAULT] transport_url is fake://, the in-process transport, which cannot reach other processes (only attachd-all may use it): set a rabbit:// URL');
  }
}
