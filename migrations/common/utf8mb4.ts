// Every table utf8mb4 on MariaDB, whatever the database was created with. Nova and Cinder force
// their tables' charset (oslo.db's mysql_charset); ours took the database's default, so a
// database made with a bare CREATE DATABASE on a latin1 server answered 500 for any name
// outside latin1 ("Incorrect string value") and for ids with 4-byte characters in URLs
// ("Illegal mix of collations"). The database default changes too, for tables made later.
// Converting is lossless (latin1 and utf8mb3 are subsets); nothing to do on SQLite.
import type { QueryRunner } from 'typeorm';
import { pausePoint } from '../../common/fault/pause';

const COLLATION = 'utf8mb4_general_ci';

interface ForeignKey { name: string; tbl: string; ref: string; cols: string; refCols: string; onUpdate: string; onDelete: string }

const quote = (names: string): string => names.split(',').map((n) => `\`${n}\``).join(', ');

/**
 * Where the foreign keys being remade are written down before they are dropped. DDL commits at
 * once on MariaDB, so a db sync killed between the drop and the remake would otherwise lose
 * them: its rerun (the migration is not yet recorded as done) remakes what this table lists.
 */
const PENDING = 'attachd_utf8mb4_pending_fks';

export async function convertToUtf8mb4(q: QueryRunner): Promise<void> {
  if (q.connection.options.type !== 'mysql') return;
  const [{ db, cs }] = await q.query(
    'SELECT SCHEMA_NAME AS db, DEFAULT_CHARACTER_SET_NAME AS cs FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()') as Array<{ db: string; cs: string }>;
  if (cs !== 'utf8mb4') await q.query(`ALTER DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE ${COLLATION}`);
  await q.query(`CREATE TABLE IF NOT EXISTS \`${PENDING}\` (name VARCHAR(64) NOT NULL PRIMARY KEY, tbl VARCHAR(64) NOT NULL, ref VARCHAR(64) NOT NULL,
    cols VARCHAR(1024) NOT NULL, refCols VARCHAR(1024) NOT NULL, onUpdate VARCHAR(16) NOT NULL, onDelete VARCHAR(16) NOT NULL) CHARACTER SET utf8mb4`);
  const tables = await q.query(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_COLLATION NOT LIKE 'utf8mb4%'",
    [db]) as Array<{ t: string }>;
  if (tables.length) {
    // MariaDB will not change the charset of a column a foreign key joins, even with the checks
    // off: the keys are written down, dropped, the tables converted, the keys made again.
    const fks = await foreignKeys(q, db);
    for (const fk of fks) {
      await q.query(`INSERT IGNORE INTO \`${PENDING}\` (name, tbl, ref, cols, refCols, onUpdate, onDelete) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [fk.name, fk.tbl, fk.ref, fk.cols, fk.refCols, fk.onUpdate, fk.onDelete]);
    }
    for (const fk of fks) await q.query(`ALTER TABLE \`${fk.tbl}\` DROP FOREIGN KEY \`${fk.name}\``);
    for (const [i, { t }] of tables.entries()) {
      await q.query(`ALTER TABLE \`${t}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE ${COLLATION}`);
      if (i === 0) await pausePoint('db-sync.utf8mb4.keys-dropped');
    }
  }
  // The keys written down, this run's or a killed run's, made again where they are missing.
  const present = new Set((await foreignKeys(q, db)).map((fk) => fk.name));
  for (const fk of await q.query(`SELECT name, tbl, ref, cols, refCols, onUpdate, onDelete FROM \`${PENDING}\` ORDER BY name`) as ForeignKey[]) {
    if (present.has(fk.name)) continue;
    await q.query(`ALTER TABLE \`${fk.tbl}\` ADD CONSTRAINT \`${fk.name}\` FOREIGN KEY (${quote(fk.cols)}) REFERENCES \`${fk.ref}\` (${quote(fk.refCols)})`
      + ` ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`);
  }
  await q.query(`DROP TABLE \`${PENDING}\``);
}

async function foreignKeys(q: QueryRunner, db: string): Promise<ForeignKey[]> {
  return await q.query(
    `SELECT rc.CONSTRAINT_NAME AS name, rc.TABLE_NAME AS tbl, rc.REFERENCED_TABLE_NAME AS ref, rc.UPDATE_RULE AS onUpdate, rc.DELETE_RULE AS onDelete,
       GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION) AS cols, GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION) AS refCols
     FROM information_schema.REFERENTIAL_CONSTRAINTS rc JOIN information_schema.KEY_COLUMN_USAGE k
       ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME AND k.TABLE_NAME = rc.TABLE_NAME
     WHERE rc.CONSTRAINT_SCHEMA = ? GROUP BY rc.CONSTRAINT_NAME, rc.TABLE_NAME, rc.REFERENCED_TABLE_NAME, rc.UPDATE_RULE, rc.DELETE_RULE`, [db]) as ForeignKey[];
}
