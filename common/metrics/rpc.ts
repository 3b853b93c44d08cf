// The RPC layer's events (common/rpc/observer.ts) as Prometheus series. Labels are the topic
// and method (fixed by the code that sends or serves them), never a server name, request id
// or argument, so the number of series stays bounded.
import { Counter, Histogram } from 'prom-client';
import { addRpcObserver, remoteClassOf, type RpcObserver } from '../rpc';
import { registry } from './registry';

/** Seconds: a local reply in about a millisecond up to rpc_response_timeout (60 s). */
const RPC_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const callDuration = new Histogram({
  name: 'attachd_rpc_call_duration_seconds', help: 'RPC calls made, by topic, method and outcome (success, timeout, remote_error, error)',
  labelNames: ['topic', 'method', 'outcome'], buckets: RPC_BUCKETS, registers: [registry],
});
const timeouts = new Counter({
  name: 'attachd_rpc_timeouts_total', help: 'RPC calls that got no reply in time (MessagingTimeout)',
  labelNames: ['topic', 'method'], registers: [registry],
});
const remoteErrors = new Counter({
  name: 'attachd_rpc_remote_errors_total', help: 'RPC calls answered with an exception, by its class',
  labelNames: ['topic', 'method', 'exception'], registers: [registry],
});
const casts = new Counter({
  name: 'attachd_rpc_casts_total', help: 'RPC casts sent (success: confirmed by the broker)',
  labelNames: ['topic', 'method', 'outcome'], registers: [registry],
});
const dispatchDuration = new Histogram({
  name: 'attachd_rpc_dispatch_duration_seconds',
  help: 'RPC requests served, by topic, method and outcome (success, error, rejected: no such method or version)',
  labelNames: ['topic', 'method', 'outcome'], buckets: RPC_BUCKETS, registers: [registry],
});
const reconnects = new Counter({
  name: 'attachd_rpc_reconnects_total', help: 'Broker connections re-established after a loss', registers: [registry],
});

/** The observer installRpcMetrics adds (exported for bench/metrics.ts, which toggles it). */
export const rpcMetricsObserver: RpcObserver = {
  callDone(topic, method, seconds, outcome, error) {
    callDuration.observe({ topic, method, outcome }, seconds);
    if (outcome === 'timeout') timeouts.inc({ topic, method });
    else if (outcome === 'remote_error') remoteErrors.inc({ topic, method, exception: remoteClassOf(error) });
  },
  castDone(topic, method, _seconds, outcome) {
    casts.inc({ topic, method, outcome });
  },
  dispatched(topic, method, seconds, outcome) {
    // A method no endpoint has came off the wire: its name is not a label.
    dispatchDuration.observe({ topic, method: method ?? 'unknown', outcome }, seconds);
  },
  reconnected() {
    reconnects.inc();
  },
};

let installed = false;

/** Starts recording the RPC layer's events (once per process). */
export function installRpcMetrics(): void {
  if (installed) return;
  installed = true;
  addRpcObserver(rpcMetricsObserver);
}
