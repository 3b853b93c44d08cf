// [metrics]: the Prometheus endpoint (docs/metrics.md). Part of every service's schema
// (COMMON_OPTS); common/metrics reads it.
import type { Schema } from './index';

export const METRICS_OPTS = {
  metrics: {
    enabled: { type: 'bool', default: true, help: 'Collect metrics and serve them: GET /metrics on the API listener (no token), and on [metrics] port for nova-compute / cinder-volume' },
    port: { type: 'port', default: 0, help: 'nova-compute / cinder-volume: serve GET /metrics on this port (0: not served; the APIs serve it on their own listener)' },
    host: { type: 'str', default: '127.0.0.1', help: 'Address the nova-compute / cinder-volume metrics listener binds (loopback by default)' },
  },
} as const satisfies Schema;
