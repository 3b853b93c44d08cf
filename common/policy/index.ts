// oslo.policy for attachd: the rule language and the enforcer. Import from here.
export { parseCheck, evaluate, PolicySyntaxError, type Check, type Creds, type Target } from './check';
export { Enforcer, credsOf, type PolicyDefaults } from './enforcer';
