#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --heap-growing-percent=20
// nova-compute: the compute manager of one host (RPC topic compute, server = [DEFAULT] host).
import 'reflect-metadata';
import '../common/db/typeorm-slim'; // before anything imports typeorm
import { runDaemon } from '../common/cmd';
import { NOVA_OPTS, type NovaConf } from '../nova-common/config';
import { startNovaCompute } from '../nova-compute/main';

void runDaemon({
  name: 'nova-compute',
  description: 'OpenStack Compute host service (attach/detach volumes through its virt driver)',
  schema: NOVA_OPTS,
  start: (conf) => startNovaCompute(conf as unknown as NovaConf),
});
