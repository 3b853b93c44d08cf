#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --heap-growing-percent=20
// cinder-volume: the volume manager of this host's enabled backends (RPC topic cinder-volume,
// server <host>@<backend>).
import 'reflect-metadata';
import '../common/db/typeorm-slim'; // before anything imports typeorm
import { runDaemon } from '../common/cmd';
import { CINDER_OPTS, type CinderConf } from '../cinder-common/config';
import { startCinderVolume } from '../cinder-volume/main';

void runDaemon({
  name: 'cinder-volume',
  description: 'OpenStack Block Storage volume service (create/export/attach volumes through its drivers)',
  schema: CINDER_OPTS,
  start: (conf) => startCinderVolume(conf as unknown as CinderConf),
});
