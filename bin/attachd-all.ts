#!/usr/bin/env node
// attachd-all: the four services in one process (see all-in-one/main.ts). `npm start` runs it.
import 'reflect-metadata';
import '../common/db/typeorm-slim'; // before anything imports typeorm
import { resolve } from 'node:path';
import { baseProgram, fatal, stopOnSignals } from '../common/cmd';
import { setupLogging } from '../common/log';
import { loadAllInOneConfig, startAllInOne, type RunningAllInOne } from '../all-in-one/main';

/** How to log in: the embedded identity's admin (password shown at the first start only). */
function login(run: RunningAllInOne): string {
  const n = run.conf.nova;
  if (n.api.auth_strategy !== 'keystone' || n.keystone_authtoken.auth_url || !n.identity.enabled) return '';
  const pw = run.firstStartAdminPassword;
  const note = pw ? '  The admin password is shown this once (set ATTACHD_ADMIN_PASSWORD to choose it instead):\n'
    : '  (OS_PASSWORD: the admin password shown at the first start, or $ATTACHD_ADMIN_PASSWORD)\n';
  return `${note}  export OS_AUTH_URL=${run.computeUrl}/identity/v3 OS_USERNAME=admin OS_PASSWORD=${pw ?? '<admin password>'} OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default\n`;
}

function walkthrough(run: RunningAllInOne): string {
  const keystone = run.conf.nova.identity.enabled && !run.conf.nova.keystone_authtoken.auth_url ? `\n  identity:    ${run.computeUrl}/identity/v3` : '';
  const urls = run.computeUrl === 'http://127.0.0.1:8774' && run.volumeUrl === 'http://127.0.0.1:8776'
    ? '' : ` --os-compute-url ${run.computeUrl}/v2.1 --os-volume-url ${run.volumeUrl}/v3`;
  return `
attachd is running: nova-api, nova-compute, cinder-api, cinder-volume
  compute API: ${run.computeUrl}/v2.1
  volume API:  ${run.volumeUrl}/v3${keystone}
  transport ${run.conf.nova.DEFAULT.transport_url.replace(/\/\/[^@/]*@/, '//***@')}, auth ${run.conf.nova.api.auth_strategy}${run.traceUrl ? `\n  traces:      ${run.traceUrl} (recent requests as sequence diagrams)` : ''}

Try it (in another terminal, from this directory; README.md walks through it):
${login(run)}  npx attachd${urls} volume-create 1 --name vol1 --wait
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
