#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --heap-growing-percent=20
// nova-api: the compute REST API (osapi_compute_listen:osapi_compute_listen_port).
import 'reflect-metadata';
import '../common/db/typeorm-slim'; // before anything imports typeorm
import { runDaemon } from '../common/cmd';
import { NOVA_OPTS, type NovaConf } from '../nova-common/config';
import { startNovaApi } from '../nova-api/main';

void runDaemon({
  name: 'nova-api',
  description: 'OpenStack Compute API (servers, os-volume_attachments)',
  schema: NOVA_OPTS,
  start: (conf) => startNovaApi(conf as unknown as NovaConf),
});
