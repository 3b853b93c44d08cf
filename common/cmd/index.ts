// What every daemon's main() shares: --config-file (repeatable), --help, --version, typed
// config, logging, and a clean stop on SIGTERM/SIGINT (stop taking work, drain, exit 0).
// A bad option, a missing transport_url / [database] connection or an unreachable server at
// start is one line on stderr and exit 1.
import { Command } from 'commander';
import { COMMON_OPTS, loadConfig, type ConfigOf, type Schema } from '../config';
import { ConfigError } from '../exception';
import { getLogger, setupLogging } from '../log';
import { checkRequiredOptions, refuseFakeTransport } from './required-options';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION: string = (require('../../../package.json') as { version: string }).version;

export interface Running {
  /** Stop taking work, finish what is in flight, release connections. */
  stop(): Promise<void>;
}

export interface DaemonSpec<S extends Schema> {
  /** Program name, e.g. 'cinder-volume'. */
  name: string;
  description: string;
  schema: S;
  /** Start serving; called only with the required options set. */
  start(conf: ConfigOf<S & typeof COMMON_OPTS>): Promise<Running>;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** A commander program with the options every entry point has. */
export function baseProgram(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .version(VERSION, '--version')
    .option('--config-file <path>', 'config file (repeatable; later files win)', collect, [] as string[])
    .option('--debug', 'log at debug level');
}

/** A service's schema with the options every service has. */
export function daemonSchema<S extends Schema>(schema: S): S & typeof COMMON_OPTS {
  return { ...COMMON_OPTS, ...schema, DEFAULT: { ...COMMON_OPTS.DEFAULT, ...(schema.DEFAULT ?? {}) } } as unknown as S & typeof COMMON_OPTS;
}

export function loadDaemonConfig<S extends Schema>(schema: S, configFiles: string[], debug = false): ConfigOf<S & typeof COMMON_OPTS> {
  const conf = loadConfig(daemonSchema(schema), { configFiles });
  const d = (conf as unknown as { DEFAULT: { debug: boolean; log_json: boolean; log_file: string | null } }).DEFAULT;
  setupLogging({ debug: d.debug || debug, json: d.log_json, file: d.log_file ?? undefined });
  return conf;
}

/** Fail fast: a start-up error is one clear line, no stack. */
export function fatal(name: string, e: unknown): never {
  const msg = e instanceof ConfigError ? e.message : (e as Error)?.message ?? String(e);
  process.stderr.write(`${name}: ${msg}\n`);
  process.exit(1);
}

/** Stop once on SIGTERM/SIGINT, then exit 0 (1 if stopping failed). */
export function stopOnSignals(name: string, running: Running): void {
  let stopping = false;
  const handler = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    const log = getLogger(name);
    log.info(`Caught ${sig}, stopping`);
    running.stop().then(
      () => { log.info('Stopped'); process.exit(0); },
      (e: unknown) => { log.exception('Error while stopping', e); process.exit(1); },
    );
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

/** main() of a daemon: parse argv, load config, start, stop on signals. */
export async function runDaemon<S extends Schema>(spec: DaemonSpec<S>, argv = process.argv): Promise<void> {
  const program = baseProgram(spec.name, spec.description);
  program.parse(argv);
  const opts = program.opts<{ configFile: string[]; debug?: boolean }>();
  let running: Running;
  try {
    const conf = loadDaemonConfig(spec.schema, opts.configFile, opts.debug);
    checkRequiredOptions(daemonSchema(spec.schema), conf, opts.configFile);
    refuseFakeTransport(conf.DEFAULT.transport_url);
    running = await spec.start(conf);
  } catch (e) {
    fatal(spec.name, e);
  }
  stopOnSignals(spec.name, running);
}
export { addDbCommands, type ManageSpec, type WithDatabase } from './db-commands';
export { checkRequiredOptions, refuseFakeTransport, requiredOptions } from './required-options';
