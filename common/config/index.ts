// oslo.config-style configuration: INI files (later --config-file wins), then environment
// overrides, each option typed and validated once at start. A bad value stops the process
// with one line naming the option and where it came from.
import { readFileSync } from 'node:fs';
import * as ini from 'ini';
import { ConfigError } from '../exception';
import { MESSAGING_OPTS } from './messaging-opts';
import { METRICS_OPTS } from './metrics-opts';

export type OptType = 'str' | 'int' | 'float' | 'bool' | 'list' | 'port';

export interface OptSpec {
  type: OptType;
  default?: string | number | boolean | string[] | null;
  help: string;
  choices?: readonly string[];
  min?: number;
  max?: number;
  /** Environment variable that overrides the file value. */
  env?: string;
  /** Never printed (passwords, URLs with credentials). */
  secret?: boolean;
  /**
   * No usable default: a daemon refuses to start without it (common/cmd checks, where the file
   * names are known). Typed as set, since nothing reaches a service before that check.
   */
  required?: boolean;
}

export type Schema = Record<string, Record<string, OptSpec>>;

type ValueOf<S extends OptSpec> =
  S['required'] extends true ? string :
  S['type'] extends 'int' | 'float' | 'port' ? number :
  S['type'] extends 'bool' ? boolean :
  S['type'] extends 'list' ? string[] :
  S['default'] extends null ? string | null : string;

export type ConfigOf<T extends Schema> = { [G in keyof T]: { [K in keyof T[G]]: ValueOf<T[G][K]> } };

const TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE = new Set(['false', '0', 'no', 'off', 'f', 'n']);

function convert(group: string, name: string, spec: OptSpec, raw: unknown, source: string): unknown {
  const where = `[${group}] ${name}${source ? ` in ${source}` : ''}`;
  const bad = (why: string): never => {
    const shown = spec.secret ? '***' : JSON.stringify(raw);
    throw new ConfigError(`Invalid value for option ${where}: ${shown} ${why}`);
  };
  if (raw === null || raw === undefined) return raw ?? null;
  const text = typeof raw === 'string' ? raw.trim() : raw;
  let value: unknown;
  switch (spec.type) {
    case 'str':
      value = String(text);
      break;
    case 'int':
    case 'port': {
      if (typeof text === 'number' ? !Number.isInteger(text) : !/^-?\d+$/.test(String(text))) bad('is not an integer');
      value = Number(text);
      if (spec.type === 'port' && ((value as number) < 0 || (value as number) > 65535)) bad('is not a valid port (0-65535)');
      break;
    }
    case 'float': {
      value = Number(text);
      if (String(text) === '' || Number.isNaN(value)) bad('is not a number');
      break;
    }
    case 'bool': {
      if (typeof text === 'boolean') { value = text; break; }
      const s = String(text).toLowerCase();
      if (TRUE.has(s)) value = true;
      else if (FALSE.has(s)) value = false;
      else bad('is not a boolean');
      break;
    }
    case 'list':
      value = Array.isArray(text) ? text.map(String) : String(text).split(',').map((s) => s.trim()).filter(Boolean);
      break;
  }
  if (spec.choices) {
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    if (!values.every((v) => spec.choices?.includes(v))) bad(`is not one of: ${spec.choices.join(', ')}`);
  }
  if (typeof value === 'number') {
    if (spec.min !== undefined && value < spec.min) bad(`is below the minimum ${spec.min}`);
    if (spec.max !== undefined && value > spec.max) bad(`is above the maximum ${spec.max}`);
  }
  return value;
}

/** Read and merge INI files (sections keep their case; DEFAULT is the [DEFAULT] section). */
function readFiles(files: readonly string[]): Array<{ file: string; data: Record<string, Record<string, unknown>> }> {
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`Cannot read config file ${file}: ${(e as Error).message}`);
    }
    return { file, data: ini.parse(text) as Record<string, Record<string, unknown>> };
  });
}

export interface LoadOptions {
  configFiles?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Values set by code (e.g. the all-in-one), below files and env. */
  defaults?: Record<string, Record<string, unknown>>;
}

export function loadConfig<T extends Schema>(schema: T, opts: LoadOptions = {}): ConfigOf<T> {
  const env = opts.env ?? process.env;
  const files = readFiles(opts.configFiles ?? []);
  const out: Record<string, Record<string, unknown>> = {};
  for (const [group, opts_] of Object.entries(schema)) {
    out[group] = {};
    for (const [name, spec] of Object.entries(opts_)) {
      let raw: unknown = opts.defaults?.[group]?.[name] ?? spec.default ?? null;
      let source = '';
      for (const { file, data } of files) {
        const section = data[group];
        if (section && typeof section === 'object' && name in section) {
          raw = section[name];
          source = file;
        }
      }
      if (spec.env && env[spec.env] !== undefined && env[spec.env] !== '') {
        raw = env[spec.env];
        source = `environment variable ${spec.env}`;
      }
      out[group][name] = convert(group, name, spec, raw, source);
    }
  }
  return out as ConfigOf<T>;
}

/** [trace]: request tracing (docs/tracing.md). */
export const TRACE_OPTS = {
  trace: {
    // Off by default, as oslo's [profiler] enabled: in the legacy Cinder cycle at c=8 the spans
    // cost about a quarter of the CPU, services and MariaDB together (docs/tracing.md).
    enabled: { type: 'bool', default: false, help: 'Record spans of REST requests, RPC messages, database units of work and driver calls' },
    store: { type: 'str', default: 'database', choices: ['database', 'memory', 'none'], help: 'Where spans are kept for `attachd trace`: the service\'s database (table trace_spans), this process\'s memory, or nowhere' },
    max_spans: { type: 'int', default: 20000, min: 100, max: 1000000, help: 'Spans kept in the store (oldest dropped first)' },
    otlp_endpoint: { type: 'str', default: null, help: 'Also export spans as OTLP/HTTP JSON to this URL (e.g. http://127.0.0.1:4318/v1/traces)' },
  },
} as const satisfies Schema;

/** Options every service has. */
export const COMMON_OPTS = {
  ...MESSAGING_OPTS,
  ...METRICS_OPTS,
  ...TRACE_OPTS,
  DEFAULT: {
    // No default: a daemon on the in-process fake:// would silently talk to nobody.
    transport_url: { type: 'str', default: null, required: true, env: 'TRANSPORT_URL', secret: true, help: 'RPC transport URL: rabbit://user:pass@host:5672/vhost (fake:// only inside attachd-all)' },
    control_exchange: { type: 'str', default: 'openstack', help: 'Default exchange for RPC and notifications' },
    host: { type: 'str', default: 'localhost', help: 'Name of this node (RPC server name, services.host)' },
    my_ip: { type: 'str', default: '127.0.0.1', help: 'IP address of this host' },
    debug: { type: 'bool', default: false, help: 'Log at debug level' },
    log_json: { type: 'bool', default: false, help: 'Write JSON log lines instead of oslo.log text' },
    log_file: { type: 'str', default: null, help: 'Log file (default: stderr)' },
    rpc_response_timeout: { type: 'int', default: 60, min: 1, help: 'Seconds to wait for an RPC reply' },
    rpc_ping_enabled: { type: 'bool', default: false, help: 'RPC servers answer oslo_rpc_server_ping with "pong" (health checks)' },
    report_interval: { type: 'int', default: 10, min: 1, help: 'Seconds between service heartbeats' },
    service_down_time: { type: 'int', default: 60, min: 1, help: 'Seconds without heartbeat before a service counts as down' },
  },
} as const satisfies Schema;
