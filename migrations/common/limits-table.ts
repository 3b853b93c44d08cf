// The shape Nova's quota tables share (quotas, quota_classes, project_user_quotas): the columns
// that name whose limit it is, the resource, its hard_limit and the two timestamps, one row per
// owner and resource.
import { Table, type TableColumnOptions, type TableIndexOptions } from 'typeorm';

export const str255 = (name: string, nullable: boolean): TableColumnOptions => ({ name, type: 'varchar', length: '255', isNullable: nullable });

/** `unique` names the one-row-per-owner-and-resource key, over `uniqueColumns` (the owner's, then resource) when given. */
export function limitsTable(name: string, owner: TableColumnOptions[], unique: string, indices: TableIndexOptions[] = [], uniqueColumns?: string[]): Table {
  return new Table({
    name,
    columns: [
      { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
      ...owner,
      str255('resource', false),
      { name: 'hard_limit', type: 'integer', isNullable: true },
      { name: 'created_at', type: 'datetime', isNullable: true },
      { name: 'updated_at', type: 'datetime', isNullable: true },
    ],
    uniques: [{ name: unique, columnNames: uniqueColumns ?? [...owner.map((c) => c.name), 'resource'] }],
    indices,
  });
}
