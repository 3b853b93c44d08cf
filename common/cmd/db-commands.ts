// `<project>-manage db sync | db version`, shared by nova-manage and cinder-manage: migrations
// take a database lock, so sync is safe twice and from two hosts at once.
import type { Command } from 'commander';
import type { DataSource } from 'typeorm';
import type { Schema } from '../config';
import { migrateDatabase } from '../db';
import { daemonSchema, loadDaemonConfig } from './index';
import { checkRequiredOptions } from './required-options';

export interface ManageSpec {
  project: string;
  /** The service's options; [database] connection names the database. */
  schema: Schema;
  connect(url: string): Promise<DataSource>;
}

export type WithDatabase = (fn: (ds: DataSource) => Promise<void>) => Promise<void>;

/** Registers `db sync` and `db version` on `program`; returns the runner other commands use too. */
export function addDbCommands(program: Command, spec: ManageSpec): WithDatabase {
  const withDb: WithDatabase = async (fn) => {
    const opts = program.opts<{ configFile: string[]; debug?: boolean }>();
    const conf = loadDaemonConfig(spec.schema, opts.configFile, opts.debug) as unknown as { database: { connection: string } };
    // Only the database: the manage commands send no RPC.
    checkRequiredOptions(daemonSchema(spec.schema), conf, opts.configFile, [['database', 'connection']]);
    const ds = await spec.connect(conf.database.connection);
    try {
      await fn(ds);
    } finally {
      await ds.destroy();
    }
  };
  const db = program.command('db').description('database commands');
  db.command('sync').description(`apply pending migrations to the ${spec.project} database`).action(() => withDb(async (ds) => {
    const done = await migrateDatabase(ds);
    process.stdout.write(done.length ? `Applied: ${done.join(', ')}\n` : 'Database is up to date\n');
  }));
  db.command('version').description('print the applied migrations').action(() => withDb(async (ds) => {
    const rows = (await ds.query('SELECT name FROM migrations ORDER BY id')) as Array<{ name: string }>;
    process.stdout.write(`${rows.length ? rows[rows.length - 1].name : 'none'}\n`);
  }));
  return withDb;
}
