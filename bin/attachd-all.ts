#!/usr/bin/env node
// attachd-all: the four services in one process (see all-in-one/main.ts). `npm start` runs it.
import 'reflect-metadata';
import { resolve } from 'node:path';
import { baseProgram, fatal, stopOnSignals } from '../common/cmd';
import { setupLogging } from '../common/log';
import { loadAllInOneConfig, startAllInOne, type RunningAllInOne } from '../all-in-one/main';

function walkthrough(run: RunningAllInOne): string {
  const keystone = run.conf.nova.identity.enabled ? `\n  identity (for the openstack CLI): ${run.computeUrl}/identity/v3  (user admin / secret, project admin)` : '';
  const urls = run.computeUrl === 'http://127.0.0.1:8774' && run.volumeUrl === 'http://127.0.0.1:8776'
    ? '' : ` --os-compute-url ${run.computeUrl}/v2.1 --os-volume-url ${run.volumeUrl}/v3`;
  // Under keystone the CLI logs in with a password (its default token only works with noauth2).
  const user = run.conf.nova.identity.users[0]?.split(':') ?? [];
  const login = run.conf.nova.api.auth_strategy === 'keystone' && run.conf.nova.identity.enabled
    ? `  export OS_AUTH_URL=${run.computeUrl}/identity/v3 OS_USERNAME=${user[0]} OS_PASSWORD=<password of ${user[0]} in [identity] users> OS_PROJECT_NAME=${user[2]}\n`
    : '';
  return `
attachd is running: nova-api, nova-compute, cinder-api, cinder-volume
  compute API: ${run.computeUrl}/v2.1
  volume API:  ${run.volumeUrl}/v3${keystone}
  transport ${run.conf.nova.DEFAULT.transport_url.replace(/\/\/[^@/]*@/, '//***@')}, auth ${run.conf.nova.api.auth_strategy}

Try it (in another terminal, from this directory; README.md walks through it):
${login}  npx attachd${urls} volume-create 1 --name vol1 --wait
  npx attachd${urls} server-create vm1 --wait
  npx attachd${urls} volume-attach vm1 vol1 /dev/vdb --wait
  npx attachd${urls} volume-attachments vm1
  npx attachd${urls} volume-detach vm1 vol1 --wait

Ctrl-C stops it; state stays in the databases.
`;
}

async function main(): Promise<void> {
  const program = baseProgram('attachd-all', 'nova-api, nova-compute, cinder-api and cinder-volume in one process')
    .option('--data-dir <dir>', 'where the SQLite databases live (embedded default)', 'data');
  program.parse(process.argv);
  const o = program.opts<{ configFile: string[]; dataDir: string; debug?: boolean }>();
  let run: RunningAllInOne;
  try {
    const conf = loadAllInOneConfig({ configFiles: o.configFile, dataDir: o.dataDir });
    const d = conf.nova.DEFAULT;
    setupLogging({ debug: d.debug || o.debug, json: d.log_json, file: d.log_file ?? undefined });
    run = await startAllInOne(conf, resolve(o.dataDir));
  } catch (e) {
    fatal('attachd-all', e);
  }
  process.stdout.write(walkthrough(run));
  stopOnSignals('attachd-all', run);
}

void main();
