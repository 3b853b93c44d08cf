#!/usr/bin/env node
// rpc-peer: a tiny oslo.messaging peer for interop testing (mirrors test/system/interop/py_peer.py).
//   rpc-peer serve --url U --topic T [--server S] ...   JSON lines: ready, dispatch..., stopped
//   rpc-peer call  --url U --topic T --method M ...     one JSON line: {"ok":...}; exit 0/1
// Both take --config-file (repeatable): its [oslo_messaging_rabbit] options shape the queues.
import { hostname } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../common/config';
import { RABBIT_OPTS } from '../common/config/messaging-opts';
import { setupLogging } from '../common/log';
import {
  getRpcTransport, rabbitTransportOptions, Target, type Transport, RPCClient, RPCServer, RemoteError, ValueError, MessageDeliveryFailure, type Endpoint,
} from '../common/rpc';

function out(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function json(what: string) {
  return (v: string): unknown => {
    try {
      return JSON.parse(v);
    } catch {
      throw new InvalidArgumentError(`${what} is not valid JSON`);
    }
  };
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('not a number of seconds');
  return n;
}

interface ServeOpts {
  url: string; topic: string; server?: string; exchange?: string; controlExchange: string;
  version: string; namespace?: string; executorSize?: string; debug?: boolean; configFile: string[];
}

/** The transport with the [oslo_messaging_rabbit] options of the --config-file(s). */
function transportFor(o: { url: string; controlExchange: string; configFile: string[] }): Transport {
  const conf = loadConfig(RABBIT_OPTS, { configFiles: o.configFile, env: {} });
  return getRpcTransport(o.url, rabbitTransportOptions(conf, o.controlExchange));
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

async function serve(o: ServeOpts): Promise<void> {
  const transport = transportFor(o);
  const endpoint: Endpoint = {
    target: new Target({ namespace: o.namespace ?? null, version: o.version }),
    methods: {
      echo: (_c, a) => a.value,
      add: (_c, a) => (a.a as number) + (a.b as number),
      // Crosses the wire as Python's builtins.ValueError.
      fail: (_c, a) => { throw new ValueError(String(a.message ?? '')); },
      sleep: async (_c, a) => {
        await new Promise((r) => setTimeout(r, Number(a.seconds) * 1000));
        return a.seconds;
      },
      whoami: (c) => c,
    },
  };
  // Announce every request before it runs, whatever its outcome.
  const methods = endpoint.methods;
  for (const name of Object.keys(methods)) {
    const fn = methods[name];
    methods[name] = (ctxt, args) => {
      out({ event: 'dispatch', method: name, args, ctxt });
      return fn(ctxt, args);
    };
  }
  const server = o.server ?? hostname();
  const rpc = new RPCServer(transport, new Target({ topic: o.topic, server, exchange: o.exchange ?? null }), [endpoint], {
    executorSize: o.executorSize ? Number(o.executorSize) : undefined,
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await rpc.stop();
    await rpc.wait();
    await transport.close();
    out({ event: 'stopped' });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  try {
    await rpc.start();
  } catch (err) {
    // SIGTERM while still starting (a refused declaration being retried): stop() exits.
    if (stopping) return;
    throw err;
  }
  out({ event: 'ready', topic: o.topic, server, exchange: o.exchange ?? null, namespace: o.namespace ?? null, version: o.version, pid: process.pid });
}

interface CallOpts {
  url: string; topic: string; method: string; args: Record<string, unknown>; server?: string; exchange?: string;
  controlExchange: string; version?: string; namespace?: string; timeout: number; callMonitorTimeout?: number;
  cast?: boolean; fanout?: boolean; context: Record<string, unknown>; retry?: string; configFile: string[];
}

async function call(o: CallOpts): Promise<number> {
  const transport = transportFor(o);
  const client = new RPCClient(transport, new Target({
    topic: o.topic, server: o.server ?? null, exchange: o.exchange ?? null, version: o.version ?? null,
    namespace: o.namespace ?? null, fanout: o.fanout ?? false,
  }), { timeout: o.timeout, callMonitorTimeout: o.callMonitorTimeout ?? null, retry: o.retry !== undefined ? Number(o.retry) : null });
  let code = 0;
  try {
    if (o.cast || o.fanout) {
      // A CLI must not wait forever for an unreachable broker: --timeout bounds casts too.
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_r, reject) => {
        timer = setTimeout(() => reject(new MessageDeliveryFailure(`cast not confirmed within ${o.timeout} s`)), o.timeout * 1000);
      });
      try {
        await Promise.race([client.cast(o.context, o.method, o.args), expired]);
      } finally {
        clearTimeout(timer);
      }
      out({ ok: true, result: null });
    } else {
      const result = await client.call(o.context, o.method, o.args);
      out({ ok: true, result: result ?? null });
    }
  } catch (err) {
    const e = err as Error;
    const remote = err instanceof RemoteError || (typeof err === 'object' && err !== null && 'remoteTraceback' in err);
    const line: Record<string, unknown> = { ok: false, error_class: e.constructor?.name ?? e.name, message: e.message, remote };
    if (err instanceof RemoteError) line.exc_type = err.excType;
    out(line);
    code = 1;
  } finally {
    await transport.close().catch(() => undefined);
  }
  return code;
}

async function main(): Promise<void> {
  setupLogging({ debug: process.env.RPC_PEER_DEBUG === '1', silent: process.env.RPC_PEER_QUIET === '1' });
  const program = new Command('rpc-peer').description('oslo.messaging interop peer').exitOverride((e) => {
    process.exit(e.exitCode === 0 ? 0 : 2);
  });
  program.command('serve')
    .requiredOption('--url <url>', 'transport URL')
    .requiredOption('--topic <topic>')
    .option('--server <server>', 'server name (default: hostname)')
    .option('--exchange <exchange>')
    .option('--control-exchange <name>', 'default exchange', 'openstack')
    .option('--version <version>', 'endpoint version', '1.0')
    .option('--namespace <namespace>')
    .option('--executor-size <n>')
    .option('--config-file <path>', 'oslo config file (repeatable)', collect, [] as string[])
    .action(async (o: ServeOpts) => { await serve(o); });
  program.command('call')
    .requiredOption('--url <url>', 'transport URL')
    .requiredOption('--topic <topic>')
    .requiredOption('--method <method>')
    .option('--args <json>', 'kwargs as a JSON object', json('--args'), {})
    .option('--server <server>')
    .option('--exchange <exchange>')
    .option('--control-exchange <name>', 'default exchange', 'openstack')
    .option('--version <version>')
    .option('--namespace <namespace>')
    .option('--timeout <seconds>', 'reply timeout', seconds, 60)
    .option('--call-monitor-timeout <seconds>', 'call monitor timeout', seconds)
    .option('--cast', 'one-way')
    .option('--fanout', 'fanout cast')
    .option('--retry <n>', 'connection retries')
    .option('--context <json>', 'request context dict', json('--context'), {})
    .option('--config-file <path>', 'oslo config file (repeatable)', collect, [] as string[])
    .action(async (o: CallOpts) => { process.exitCode = await call(o); });
  await program.parseAsync(process.argv);
}

main().catch((err: unknown) => {
  process.stderr.write(`rpc-peer: ${(err as Error).message}\n`);
  process.exit(2);
});
