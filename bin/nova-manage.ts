#!/usr/bin/env node
// nova-manage db sync | db version: create/upgrade the nova database (safe to run twice, and
// from two hosts at once: migrations take a database lock). volume_attachment show: a BDM row;
// volume_attachment audit [--fix]: drift between Nova, Cinder and the backends' exports;
// volume_attachment get_connector: this host's connector, as its nova-compute sends it.
import 'reflect-metadata';
import '../common/db/typeorm-slim'; // before anything imports typeorm
import { listTable, propertyTable } from '../cli/format';
import { pyStr as pythonStr } from '../common/api';
import { addDbCommands, baseProgram, daemonSchema, fatal, loadDaemonConfig } from '../common/cmd';
import { checkRequiredOptions } from '../common/cmd/required-options';
import { cinderEndpoint, NOVA_OPTS, type NovaConf } from '../nova-common/config';
import { openNovaDatabase } from '../nova-common/db';
import { NovaDB } from '../nova-common/db-api';
import { CinderAPI } from '../nova-common/volume/cinder';
import { novaServiceAuth } from '../nova-common/volume/service-auth';
import { audit, fix, type Drift } from '../nova-compute/volume-audit';
import { connectorProperties, initiatorName } from '../nova-compute/connectors';
import type { DataSource } from 'typeorm';

/** Python's str() of a column value, as nova-manage prints table cells (datetimes as stored). */
const pyStr = (v: unknown): string => (v instanceof Date ? v.toISOString() : pythonStr(v));

/** Return codes as nova-manage's: 0 shown, 2 instance not found, 3 volume not attached to it. */
async function showVolumeAttachment(ds: DataSource, instanceUuid: string, volumeId: string, o: { connection_info?: boolean; json?: boolean }): Promise<number> {
  const db = new NovaDB(ds);
  if (!(await db.instanceGet(instanceUuid))) {
    process.stdout.write(`Instance ${instanceUuid} could not be found.\n`);
    return 2;
  }
  const bdm = await db.bdmRowByVolumeAndInstance(volumeId, instanceUuid);
  if (!bdm) {
    process.stdout.write(`No volume Block Device Mapping with id ${volumeId}.\n`);
    return 3;
  }
  const text = (v: unknown): string => (typeof v === 'string' ? v : pyStr(v));
  if (o.connection_info && o.json) {
    process.stdout.write(`${text(bdm.connection_info)}\n`);
  } else if (o.connection_info) {
    const info = bdm.connection_info ? (JSON.parse(String(bdm.connection_info)) as Record<string, unknown>) : {};
    process.stdout.write(`${propertyTable(Object.fromEntries(Object.entries(info).map(([k, v]) => [k, typeof v === 'object' && v ? JSON.stringify(v) : pyStr(v)])))}\n`);
  } else if (o.json) {
    process.stdout.write(`${JSON.stringify(bdm)}\n`);
  } else {
    process.stdout.write(`${propertyTable(Object.fromEntries(Object.entries(bdm).map(([k, v]) => [k, pyStr(v)])))}\n`);
  }
  return 0;
}

/**
 * Exit status: 0 no drift; 1 drift found (with --fix: and repaired, a second look found none);
 * 3 drift left after --fix; 2 the audit itself could not run (Cinder or the database unreachable).
 */
async function auditVolumeAttachments(configFiles: string[], o: { fix?: boolean; json?: boolean; localTgtd?: boolean }): Promise<number> {
  const conf = loadDaemonConfig(NOVA_OPTS, configFiles) as unknown as NovaConf;
  checkRequiredOptions(daemonSchema(NOVA_OPTS), conf, configFiles, [['database', 'connection']]);
  const ds = await openNovaDatabase(conf.database.connection);
  try {
    const auth = novaServiceAuth(conf);
    const deps = {
      db: new NovaDB(ds), cinder: new CinderAPI(cinderEndpoint(conf), conf.cinder.http_timeout), admin: await auth.adminCaller(),
      pendingTimeoutMs: conf.compute.pending_volume_op_timeout * 1000, serviceDownTime: conf.DEFAULT.service_down_time, localTgtd: o.localTgtd,
    };
    let found: Drift[];
    try {
      found = await audit(deps);
    } catch (e) {
      process.stderr.write(`nova-manage: cannot audit: ${(e as Error).message}\n`);
      return 2;
    }
    const remaining = o.fix && found.length ? (await fix(deps, found), await audit(deps)) : null;
    if (o.json) {
      process.stdout.write(`${JSON.stringify({ drift: found, ...(remaining ? { remaining } : {}) }, null, 2)}\n`);
    } else if (!found.length) {
      process.stdout.write('No drift found.\n');
    } else {
      const cols: Array<[string, (r: Record<string, unknown>) => unknown]> = [['Kind', (r) => r.kind], ['Volume', (r) => r.volume_id ?? '-'],
        ['Instance', (r) => r.instance_uuid ?? '-'], ['Detail', (r) => r.detail], ...(o.fix ? [['Fix', (r: Record<string, unknown>) => r.fix ?? '-'] as [string, (r: Record<string, unknown>) => unknown]] : [])];
      process.stdout.write(`${listTable(cols, found as unknown as Array<Record<string, unknown>>)}\n`);
      if (remaining) process.stdout.write(remaining.length ? `${remaining.length} drift(s) remain after --fix.\n` : 'All drift repaired.\n');
    }
    if (!found.length) return 0;
    return remaining && remaining.length ? 3 : 1;
  } finally {
    await ds.destroy();
  }
}

async function main(): Promise<void> {
  const program = baseProgram('nova-manage', 'Nova management commands');
  const withDb = addDbCommands(program, { project: 'nova', schema: NOVA_OPTS, connect: (url) => openNovaDatabase(url) });
  const va = program.command('volume_attachment').description('volume attachment commands');
  va.command('show <instance_uuid> <volume_id>').description('Show the details of a given volume attachment (its block_device_mapping row)')
    .option('--connection_info', 'only display the connection_info of the volume attachment')
    .option('--json', 'display output as json without a table')
    .action(async (instanceUuid: string, volumeId: string, o: { connection_info?: boolean; json?: boolean }) => {
      await withDb(async (ds) => {
        process.exitCode = await showVolumeAttachment(ds, instanceUuid, volumeId, o);
      });
    });
  va.command('get_connector').description('Show the host connector for this host')
    .option('--json', 'display output as json without a table')
    .action((o: { json?: boolean }) => {
      const conf = loadDaemonConfig(NOVA_OPTS, program.opts<{ configFile: string[] }>().configFile) as unknown as NovaConf;
      const host = conf.DEFAULT.host;
      const props = connectorProperties({ ip: conf.DEFAULT.my_ip, host, initiator: initiatorName(conf.compute.initiator_name, host) });
      process.stdout.write(o.json ? `${JSON.stringify(props)}\n` : `${propertyTable(Object.fromEntries(Object.keys(props).sort().map((k) => [k, pyStr(props[k])])))}\n`);
    });
  va.command('audit').description('List drift between block_device_mapping rows, Cinder volumes and attachments, and backend exports')
    .option('--fix', 'repair what was found (finish or roll back stalled operations, release stuck volumes, sync exports)')
    .option('--json', 'print the findings as JSON')
    .option('--local-tgtd', 'also report tgtd processes on this host that no cinder-volume owns')
    .action(async (o: { fix?: boolean; json?: boolean; localTgtd?: boolean }) => {
      process.exitCode = await auditVolumeAttachments(program.opts<{ configFile: string[] }>().configFile, o);
    });
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    fatal('nova-manage', e);
  }
}

void main();
