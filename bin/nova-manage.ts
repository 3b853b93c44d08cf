#!/usr/bin/env node
// nova-manage db sync | db version: create/upgrade the nova database (safe to run twice, and
// from two hosts at once: migrations take a database lock). volume_attachment show: a BDM row.
import 'reflect-metadata';
import { baseProgram, fatal, loadDaemonConfig } from '../common/cmd';
import { migrateDatabase } from '../common/db';
import { NOVA_OPTS, type NovaConf } from '../nova-common/config';
import { openNovaDatabase } from '../nova-common/db';
import { propertyTable } from '../cli/format';
import type { DataSource } from 'typeorm';

async function withDb(opts: { configFile: string[]; debug?: boolean }, fn: (ds: Awaited<ReturnType<typeof openNovaDatabase>>) => Promise<void>): Promise<void> {
  const conf = loadDaemonConfig(NOVA_OPTS, opts.configFile, opts.debug) as unknown as NovaConf;
  const ds = await openNovaDatabase(conf.database.connection);
  try {
    await fn(ds);
  } finally {
    await ds.destroy();
  }
}

/** Python's str() of a value, as nova-manage prints table cells. */
const pyStr = (v: unknown): string => (v === null || v === undefined ? 'None' : typeof v === 'boolean' ? (v ? 'True' : 'False') : v instanceof Date ? v.toISOString() : String(v));

/** Return codes as nova-manage's: 0 shown, 2 instance not found, 3 volume not attached to it. */
async function showVolumeAttachment(ds: DataSource, instanceUuid: string, volumeId: string, o: { connection_info?: boolean; json?: boolean }): Promise<number> {
  const inst = (await ds.query('SELECT uuid FROM instances WHERE uuid = ? AND deleted = 0', [instanceUuid])) as unknown[];
  if (!inst.length) {
    process.stdout.write(`Instance ${instanceUuid} could not be found.\n`);
    return 2;
  }
  const rows = (await ds.query('SELECT * FROM block_device_mapping WHERE volume_id = ? AND instance_uuid = ? AND deleted = 0 ORDER BY id', [volumeId, instanceUuid])) as Array<Record<string, unknown>>;
  if (!rows.length) {
    process.stdout.write(`No volume Block Device Mapping with id ${volumeId}.\n`);
    return 3;
  }
  const bdm = rows[0];
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
  const db = program.command('db').description('database commands');
  db.command('sync').description('apply pending migrations to the nova database').action(async () => {
    await withDb(program.opts(), async (ds) => {
      const done = await migrateDatabase(ds);
      process.stdout.write(done.length ? `Applied: ${done.join(', ')}\n` : 'Database is up to date\n');
    });
  });
  db.command('version').description('print the applied migrations').action(async () => {
    await withDb(program.opts(), async (ds) => {
      const rows = (await ds.query('SELECT name FROM migrations ORDER BY id')) as Array<{ name: string }>;
      process.stdout.write(`${rows.length ? rows[rows.length - 1].name : 'none'}\n`);
    });
  });
  const va = program.command('volume_attachment').description('volume attachment commands');
  va.command('show <instance_uuid> <volume_id>').description('Show the details of a given volume attachment (its block_device_mapping row)')
    .option('--connection_info', 'only display the connection_info of the volume attachment')
    .option('--json', 'display output as json without a table')
    .action(async (instanceUuid: string, volumeId: string, o: { connection_info?: boolean; json?: boolean }) => {
      await withDb(program.opts(), async (ds) => {
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
