#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --heap-growing-percent=20
// cinder-api: the volume REST API (osapi_volume_listen:osapi_volume_listen_port).
import 'reflect-metadata';
import '../common/db/typeorm-slim'; // before anything imports typeorm
import { runDaemon } from '../common/cmd';
import { CINDER_OPTS, type CinderConf } from '../cinder-common/config';
import { startCinderApi } from '../cinder-api/main';

void runDaemon({
  name: 'cinder-api',
  description: 'OpenStack Block Storage API (volumes and their attach actions)',
  schema: CINDER_OPTS,
  start: (conf) => startCinderApi(conf as unknown as CinderConf),
});
