// Every table utf8mb4 on MariaDB (migrations/common/utf8mb4.ts). Not undone: going back to a
// narrower charset could lose data.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { convertToUtf8mb4 } from '../common/utf8mb4';

export class Utf8mb4Tables1765600000000 implements MigrationInterface {
  name = 'Utf8mb4Tables1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await convertToUtf8mb4(q);
  }

  async down(): Promise<void> {
    // Nothing: the tables stay utf8mb4.
  }
}
