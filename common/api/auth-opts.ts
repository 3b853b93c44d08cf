// Option groups both APIs (and nova-compute) read, under the names operators already use:
// keystonemiddleware's [keystone_authtoken] and Nova's [service_user].
import type { Schema } from '../config';

/** keystoneauth's password plugin options, the same in every section that logs in to Keystone. */
const PASSWORD_LOGIN = {
  auth_type: { type: 'str', default: null, choices: ['password'], help: 'How this service logs in to Keystone' },
  username: { type: 'str', default: null, help: 'The service\'s user' },
  password: { type: 'str', default: null, secret: true, help: 'Its password' },
  project_name: { type: 'str', default: null, help: 'The project its token is scoped to (e.g. service)' },
  user_domain_name: { type: 'str', default: 'Default', help: 'Domain of username' },
  project_domain_name: { type: 'str', default: 'Default', help: 'Domain of project_name' },
} as const;

export const KEYSTONE_AUTHTOKEN_OPTS = {
  keystone_authtoken: {
    www_authenticate_uri: { type: 'str', default: null, help: 'Keystone URI clients are sent to authenticate at (the WWW-Authenticate header of a 401)' },
    auth_url: { type: 'str', default: null, help: 'Keystone this service validates tokens with; unset: the embedded identity\'s signed tokens' },
    ...PASSWORD_LOGIN,
    service_token_roles: { type: 'list', default: ['service'], help: 'A service token must carry one of these roles to count as a service\'s' },
    service_token_roles_required: { type: 'bool', default: false, help: 'Refuse a service token without one of service_token_roles' },
    token_cache_time: { type: 'int', default: 300, min: 0, help: 'Seconds a token validation is reused' },
    http_connect_timeout: { type: 'int', default: 10, min: 1, help: 'Seconds to wait for Keystone' },
  },
} as const satisfies Schema;

/** Nova's [service_user]: the service token sent beside the user's token to Cinder. */
export const SERVICE_USER_OPTS = {
  service_user: {
    send_service_user_token: { type: 'bool', default: false, help: 'Send a service token (X-Service-Token) with the user\'s token to Cinder' },
    auth_url: { type: 'str', default: null, help: 'Keystone v3 URL' },
    ...PASSWORD_LOGIN,
  },
} as const satisfies Schema;

/** oslo.policy's [oslo_policy]: a YAML file overriding the in-code defaults, rule by rule. */
export const POLICY_OPTS = {
  oslo_policy: {
    policy_file: { type: 'str', default: null, help: 'YAML file of policy rules overriding the defaults (oslo.policy rule syntax)' },
  },
} as const satisfies Schema;
