#!/usr/bin/env node
// cinder-manage db sync | db version: create/upgrade the cinder database.
import 'reflect-metadata';
import '../common/db/typeorm-slim'; // before anything imports typeorm
import { addDbCommands, baseProgram, fatal } from '../common/cmd';
import { CINDER_OPTS } from '../cinder-common/config';
import { openCinderDatabase } from '../cinder-common/db';

async function main(): Promise<void> {
  const program = baseProgram('cinder-manage', 'Cinder management commands');
  addDbCommands(program, { project: 'cinder', schema: CINDER_OPTS, connect: (url) => openCinderDatabase(url) });
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    fatal('cinder-manage', e);
  }
}

void main();
