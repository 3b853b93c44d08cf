// nova `tags`: a server's tags (2.26), one row per (server, tag). Nova deletes them with the
// instance row; they carry no soft-delete columns.
import { Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'tags' })
@Index('tags_tag_idx', ['tag'])
export class Tag {
  @PrimaryColumn({ name: 'resource_id', type: 'varchar', length: 36 }) resourceId!: string;
  @PrimaryColumn({ type: 'varchar', length: 80 }) tag!: string;
}
