// messages: Cinder's user messages (the columns of its `messages` model, expires_at indexed
// for the reaper). Portable for MariaDB and SQLite; redo-safe.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createMissingIndex, createTables } from '../common/redo-safe';

export class Messages1766000000000 implements MigrationInterface {
  name = 'Messages1766000000000';

  async up(q: QueryRunner): Promise<void> {
    const text = (name: string, length: string, isNullable = true): { name: string; type: string; length: string; isNullable: boolean } =>
      ({ name, type: 'varchar', length, isNullable });
    await createTables(q, new Table({
      name: 'messages',
      columns: [
        { name: 'id', type: 'varchar', length: '36', isPrimary: true, isNullable: false },
        text('project_id', '255', false), text('message_level', '255', false), text('request_id', '255'),
        text('resource_type', '36'), text('resource_uuid', '255'), text('event_id', '255', false),
        text('detail_id', '10'), text('action_id', '10'),
        { name: 'expires_at', type: 'datetime', isNullable: true },
        { name: 'created_at', type: 'datetime', isNullable: true },
        { name: 'updated_at', type: 'datetime', isNullable: true },
        { name: 'deleted_at', type: 'datetime', isNullable: true },
        { name: 'deleted', type: 'boolean', isNullable: true, default: false },
      ],
    }));
    await createMissingIndex(q, 'messages', new TableIndex({ name: 'ix_messages_expires_at', columnNames: ['expires_at'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('messages', true);
  }
}
