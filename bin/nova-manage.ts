#!/usr/bin/env node
// nova-manage db sync | db version: create/upgrade the nova database (safe to run twice, and
// from two hosts at once: migrations take a database lock).
import 'reflect-metadata';
import { baseProgram, fatal, loadDaemonConfig } from '../common/cmd';
import { migrateDatabase } from '../common/db';
import { NOVA_OPTS, type NovaConf } from '../nova-common/config';
import { openNovaDatabase } from '../nova-common/db';

async function withDb(opts: { configFile: string[]; debug?: boolean }, fn: (ds: Awaited<ReturnType<typeof openNovaDatabase>>) => Promise<void>): Promise<void> {
  const conf = loadDaemonConfig(NOVA_OPTS, opts.configFile, opts.debug) as unknown as NovaConf;
  const ds = await openNovaDatabase(conf.database.connection);
  try {
    await fn(ds);
  } finally {
    await ds.destroy();
  }
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
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    fatal('nova-manage', e);
  }
}

void main();
