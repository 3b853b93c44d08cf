// REST plumbing shared by nova-api and cinder-api.
export { createApiApp, checkProjectInPath, type ApiAppOptions, type FastifyInstance, type FastifyReply, type FastifyRequest } from './app';
export {
  authStrategy, createAuth, checkTokenSecret, hashPassword, idOf, usesExternalKeystone, noauth2, keystone, signToken, verifyToken, MIN_SECRET_LENGTH,
  type AuthInput, type AuthOptions, type AuthStrategy, type TokenClaims,
} from './auth';
export { KeystoneAuthToken, KeystoneUnauthorized, type KeystoneAuthTokenOptions } from './keystone-authtoken';
export { KEYSTONE_AUTHTOKEN_OPTS, POLICY_OPTS, SERVICE_USER_OPTS } from './auth-opts';
export { HTTPFault, faultBody, faultName, badRequest, unauthorized, forbidden, notFound, conflict, notAcceptable } from './faults';
export { APIVersion, requestedVersion, versionHeaders, VersionNotAcceptable, type MicroversionSpec } from './microversion';
export { validateBody, rejectExtraKeys, Nested, ObjectSchema, type ObjectRules } from './validation';
export { additionalPropertiesMessage, Schema, violation, type Format, type JsonSchema, type JsonType } from './json-schema';
export { serveApi, type ServedApi } from './serve';
export { pyRepr, pyStr, pyJsonDumps, pyTruthy, pyDateTime, invalidInput, validDescriptionRegex } from './python-text';
export { traceRoutes, tracePageRoutes } from './traces';
export { healthcheckRoutes, healthChecker, databaseHealth, brokerHealth, HEALTHCHECK_PATH, type HealthBackend } from './healthcheck';
export { LocalRoutes, type FetchInit, type FetchLike, type FetchResponse } from './local-fetch';
export { httpFetch } from './http-client';
