export { Instance } from './instance';
export { BlockDeviceMapping } from './block-device-mapping';
export { Service } from './service';
export { InstanceAction, InstanceActionEvent } from './instance-action';
export { RequestSpec, type RequestSpecData } from './request-spec';
export { Quota } from './quota';
export { QuotaClass } from './quota-class';
export { ProjectUserQuota } from './project-user-quota';
import { Instance } from './instance';
import { BlockDeviceMapping } from './block-device-mapping';
import { Service } from './service';
import { InstanceAction, InstanceActionEvent } from './instance-action';
import { RequestSpec } from './request-spec';
import { Quota } from './quota';
import { QuotaClass } from './quota-class';
import { ProjectUserQuota } from './project-user-quota';

export const NOVA_ENTITIES = [Instance, BlockDeviceMapping, Service, InstanceAction, InstanceActionEvent, RequestSpec, Quota, QuotaClass, ProjectUserQuota];
