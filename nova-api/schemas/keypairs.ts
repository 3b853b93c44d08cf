// POST /os-keypairs bodies (nova schemas/keypairs.py), one DTO per microversion range: create
// (2.1: name, public_key), create_v22 (+type), create_v210 (+user_id), create_v292 (names may
// hold '@' and '.', and a public_key is required: no more generated pairs). A user_id is at most 255
// characters, its column's size (Nova's schema has no bound, and MySQL refuses the row: a 500).
import { IsDefined } from '../../common/api/class-validator';
import { Schema } from '../../common/api';
import * as t from './parameter-types';

export class KeypairCreate {
  @IsDefined() @Schema(t.keypairName20) name!: string;
  @Schema({ type: 'string' }) public_key?: string;
}

export class KeypairCreateV22 {
  @IsDefined() @Schema(t.keypairName20) name!: string;
  @Schema({ type: 'string', enum: ['ssh', 'x509'] }) type?: 'ssh' | 'x509';
  @Schema({ type: 'string' }) public_key?: string;
}

const userId = { type: 'string', maxLength: 255 } as const;

export class KeypairCreateV210 extends KeypairCreateV22 {
  @Schema(userId) user_id?: string;
}

export class KeypairCreateV292 {
  @IsDefined() @Schema(t.keypairName292) name!: string;
  @Schema({ type: 'string', enum: ['ssh', 'x509'] }) type?: 'ssh' | 'x509';
  @IsDefined() @Schema({ type: 'string' }) public_key!: string;
  @Schema(userId) user_id?: string;
}
