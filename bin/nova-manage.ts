#!/usr/bin/env node
// nova-manage db sync | db version: create/upgrade the nova database (safe to run twice, and
// from two hosts at once: migrations take a database lock). volume_attachment show: a BDM row.
import 'reflect-metadata';
import { propertyTable } from '../cli/format';
import { pyStr as pythonStr } from '../common/api';
import { addDbCommands, baseProgram, fatal } from '../common/cmd';
import { NOVA_OPTS } from '../nova-common/config';
import { openNovaDatabase } from '../nova-common/db';
import { NovaDB } from '../nova-common/db-api';
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
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    fatal('nova-manage', e);
  }
}

void main();
