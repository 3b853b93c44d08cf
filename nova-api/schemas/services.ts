// os-services PUT bodies (nova schemas/services.py): before 2.53 the service is named by host and
// binary in the body, the action by the path; from 2.53 the path holds the service's uuid and the
// body only what changes. Unknown keys are refused.
import { IsDefined } from '../../common/api/class-validator';
import { Schema, type APIVersion, type JsonSchema } from '../../common/api';
import * as t from './parameter-types';

const text255: JsonSchema = { type: 'string', minLength: 1, maxLength: 255 };

export class ServiceUpdateV20 {
  @IsDefined() @Schema(t.fqdn) host!: string;
  @IsDefined() @Schema(text255) binary!: string;
  @Schema(text255) disabled_reason?: string;
}

export class ServiceUpdateV211 extends ServiceUpdateV20 {
  @Schema(t.boolean) forced_down?: boolean | string;
}

export class ServiceUpdateV253 {
  @Schema({ type: 'string', enum: ['enabled', 'disabled'] }) status?: 'enabled' | 'disabled';
  @Schema(text255) disabled_reason?: string;
  @Schema(t.boolean) forced_down?: boolean | string;
}

/** The legacy body's DTO at a microversion below 2.53. */
export const serviceUpdateBody = (v: APIVersion): typeof ServiceUpdateV20 => (v.atLeast('2.11') ? ServiceUpdateV211 : ServiceUpdateV20);

export const { toBoolean } = t;
