#!/usr/bin/env node
// cinder-manage db sync | db version: create/upgrade the cinder database (safe to run twice,
// and from two hosts at once: migrations take a database lock).
import 'reflect-metadata';
import { baseProgram, fatal, loadDaemonConfig } from '../common/cmd';
import { migrateDatabase } from '../common/db';
import { CINDER_OPTS, type CinderConf } from '../cinder-common/config';
import { openCinderDatabase } from '../cinder-common/db';

async function withDb(opts: { configFile: string[]; debug?: boolean }, fn: (ds: Awaited<ReturnType<typeof openCinderDatabase>>) => Promise<void>): Promise<void> {
  const conf = loadDaemonConfig(CINDER_OPTS, opts.configFile, opts.debug) as unknown as CinderConf;
  const ds = await openCinderDatabase(conf.database.connection);
  try {
    await fn(ds);
  } finally {
    await ds.destroy();
  }
}

async function main(): Promise<void> {
  const program = baseProgram('cinder-manage', 'Cinder management commands');
  const db = program.command('db').description('database commands');
  db.command('sync').description('apply pending migrations to the cinder database').action(async () => {
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
    fatal('cinder-manage', e);
  }
}

void main();
