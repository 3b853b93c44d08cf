// REST plumbing shared by nova-api and cinder-api.
export { createApiApp, checkProjectInPath, type ApiAppOptions, type FastifyInstance, type FastifyReply, type FastifyRequest } from './app';
export { authStrategy, noauth2, keystone, signToken, verifyToken, type AuthStrategy, type TokenClaims } from './auth';
export { HTTPFault, faultBody, faultName, badRequest, unauthorized, forbidden, notFound, conflict, notAcceptable } from './faults';
export { APIVersion, requestedVersion, versionHeaders, type MicroversionSpec } from './microversion';
export { validateBody } from './validation';
export { serveApi, type ServedApi } from './serve';
export { pyRepr, pyStr, invalidInput } from './python-text';
export { identityRoutes, parseUsers, idOf, type IdentityOptions, type IdentityUser } from './identity';
