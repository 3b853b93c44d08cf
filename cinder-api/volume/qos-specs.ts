// QoS specs (cinder/volume/qos_specs.py with the checks of qos_specs_manage.py; admin only by
// default): create, read, update, delete, delete_keys, and the associations with volume types.
// Keys and values are checked as Cinder's validate_dictionary_string_length does, the consumer
// against Cinder's three. Each change is sent as the 'QoSSpecs' publisher's info notification;
// a failed send is only logged.
import type { RequestContext } from '../../common/context';
import { Invalid, InvalidInput, InvalidQoSSpecs, QoSSpecsInUse } from '../../cinder-common/exception';
import { CONSUMER_KEY, DEFAULT_CONSUMER, QosDB, type QosAssociation, type QosSpec, type QosValues } from '../../cinder-common/qos-db';
import { collationEquals } from '../collation';
import type { VolumeAPI } from './api';


export const QOS_POLICY = {
  create: 'volume_extension:qos_specs_manage:create',
  get: 'volume_extension:qos_specs_manage:get',
  getAll: 'volume_extension:qos_specs_manage:get_all',
  update: 'volume_extension:qos_specs_manage:update',
  delete: 'volume_extension:qos_specs_manage:delete',
} as const;

/** QoSConsumerValues.ALL, in Cinder's order. */
export const CONSUMERS = ['back-end', 'front-end', 'both'] as const;

/** The text InvalidQoSSpecs gives for a bad consumer: Cinder prints its field's repr. */
const BAD_CONSUMER = 'Valid consumer of QoS specs are: QoSConsumerValues(default=<class '
  + `'oslo_versionedobjects.fields.UnspecifiedDefault'>,nullable=False,valid_values=(${CONSUMERS.map((c) => `'${c}'`).join(', ')}))`;

/** A consumer as the object's field takes it: null is the default, anything else must be one of the three. */
function consumerOf(v: unknown): string {
  if (v === null || v === undefined) return DEFAULT_CONSUMER;
  if (typeof v !== 'string' || !(CONSUMERS as readonly string[]).includes(v)) throw new InvalidQoSSpecs({ reason: BAD_CONSUMER });
  return v;
}

/** Python's len(): code points. */
const pyLen = (s: string): number => [...s].length;

/** utils.validate_dictionary_string_length: keys 1..255 characters, values strings (or null) up to 255. */
export function checkSpecLengths(specs: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(specs)) {
    const n = pyLen(key);
    if (n < 1) throw new InvalidInput({ reason: `Key "${key}" has ${n} characters, less than 1.` });
    if (n > 255) throw new InvalidInput({ reason: `Key "${key}" has ${n} characters, more than 255.` });
    if (value === null) continue;
    if (typeof value !== 'string') throw new InvalidInput({ reason: `Value for key "${key}" is not a string or unicode` });
    if (pyLen(value) > 255) throw new InvalidInput({ reason: `Value for key "${key}" has ${pyLen(value)} characters, more than 255.` });
  }
}

const iso = (d: Date | null): string | null => (d ? d.toISOString().replace(/\.\d{3}Z$/, '') : null);

export class QosSpecsAPI {
  readonly db: QosDB;

  constructor(private readonly api: VolumeAPI) {
    this.db = new QosDB(api.d.db);
  }

  private notify(ctx: RequestContext, event: string, payload: Record<string, unknown>): Promise<void> {
    return this.api.notifyAs(ctx, 'QoSSpecs', event, payload);
  }


  async list(ctx: RequestContext): ReturnType<QosDB['list']> {
    this.api.authorize(ctx, QOS_POLICY.getAll);
    return this.db.list();
  }

  async get(ctx: RequestContext, id: string): Promise<QosSpec> {
    this.api.authorize(ctx, QOS_POLICY.get);
    return this.db.get(id);
  }

  /** `fields` is the body's qos_specs less its name (the consumer among them), in the body's order. */
  async create(ctx: RequestContext, name: string, fields: Record<string, unknown>): Promise<QosSpec> {
    this.api.authorize(ctx, QOS_POLICY.create);
    checkSpecLengths(fields);
    const { [CONSUMER_KEY]: consumer, ...rest } = fields;
    // A key set to null is no change from nothing: Cinder's object leaves it out.
    const specs = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null)) as Record<string, string>;
    const spec = await this.db.create(name, consumerOf(consumer), specs, collationEquals);
    await this.notify(ctx, 'qos_specs.create', { name, created_at: iso(spec.createdAt), specs: fields });
    return spec;
  }

  /** qos_specs.update: the consumer (null: the default) and each key; null clears a key the spec has, and adds none. */
  async update(ctx: RequestContext, id: string, values: QosValues): Promise<void> {
    this.api.authorize(ctx, QOS_POLICY.update);
    const spec = await this.db.get(id);
    checkSpecLengths(values);
    const { [CONSUMER_KEY]: consumer, ...rest } = values;
    const changes: QosValues = {};
    for (const [k, v] of Object.entries(rest)) if (v !== null ? spec.specs[k] !== v : k in spec.specs && spec.specs[k] !== null) changes[k] = v;
    if (CONSUMER_KEY in values) {
      const c = consumerOf(consumer);
      if (c !== spec.consumer) changes[CONSUMER_KEY] = c;
    }
    if (Object.keys(changes).length) await this.db.update(id, changes);
    await this.notify(ctx, 'qos_specs.update', { id, created_at: iso(spec.createdAt), updated_at: iso(new Date()), specs: values });
  }

  /** Refused while associated (QoSSpecsInUse) unless forced. */
  async delete(ctx: RequestContext, id: string, force: boolean): Promise<void> {
    this.api.authorize(ctx, QOS_POLICY.delete);
    const spec = await this.db.get(id);
    await this.db.delete(id, force, () => new QoSSpecsInUse({ specs_id: id }));
    await this.notify(ctx, 'qos_specs.delete', { id, created_at: iso(spec.createdAt), deleted_at: iso(new Date()) });
  }

  async deleteKeys(ctx: RequestContext, id: string, keys: string[]): Promise<void> {
    this.api.authorize(ctx, QOS_POLICY.delete);
    await this.db.deleteKeys(id, keys);
    const spec = await this.db.get(id);
    await this.notify(ctx, 'qos_specs.delete_keys', { id, created_at: iso(spec.createdAt), updated_at: iso(spec.updatedAt) });
  }

  async associations(ctx: RequestContext, id: string): Promise<QosAssociation[]> {
    this.api.authorize(ctx, QOS_POLICY.getAll);
    const found = await this.db.associations(id);
    await this.notify(ctx, 'qos_specs.associations', { id });
    return found;
  }

  /** The controller's check: a type named in the query (vol_type_id). */
  private typeNamed(typeId: string | undefined): string {
    if (!typeId) throw new Invalid({}, 'Volume Type id must not be None.');
    return typeId;
  }

  async associate(ctx: RequestContext, id: string, typeId: string | undefined): Promise<void> {
    this.api.authorize(ctx, QOS_POLICY.update);
    typeId = this.typeNamed(typeId);
    await this.db.associate(id, typeId);
    await this.notify(ctx, 'qos_specs.associate', { id, type_id: typeId });
  }

  async disassociate(ctx: RequestContext, id: string, typeId: string | undefined): Promise<void> {
    this.api.authorize(ctx, QOS_POLICY.update);
    typeId = this.typeNamed(typeId);
    await this.db.disassociate(id, typeId);
    await this.notify(ctx, 'qos_specs.disassociate', { id, type_id: typeId });
  }

  async disassociateAll(ctx: RequestContext, id: string): Promise<void> {
    this.api.authorize(ctx, QOS_POLICY.update);
    await this.db.disassociateAll(id);
    await this.notify(ctx, 'qos_specs.disassociate_all', { id });
  }
}
