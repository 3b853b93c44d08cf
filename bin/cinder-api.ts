#!/usr/bin/env -S node --max-semi-space-size=4
// cinder-api: the volume REST API (osapi_volume_listen:osapi_volume_listen_port).
import 'reflect-metadata';
import { runDaemon } from '../common/cmd';
import { CINDER_OPTS, type CinderConf } from '../cinder-common/config';
import { startCinderApi } from '../cinder-api/main';

void runDaemon({
  name: 'cinder-api',
  description: 'OpenStack Block Storage API (volumes and their attach actions)',
  schema: CINDER_OPTS,
  start: (conf) => startCinderApi(conf as unknown as CinderConf),
});
