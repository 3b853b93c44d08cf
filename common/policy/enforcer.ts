// The policy enforcer (oslo.policy's Enforcer): each service's in-code defaults, overridden
// rule by rule by the YAML file of [oslo_policy] policy_file. A denial is the service's own
// PolicyNotAuthorized (403, "Policy doesn't allow <action> to be performed.").
import { readFileSync } from 'node:fs';
import type { RequestContext } from '../context';
import { ConfigError } from '../exception';
import { evaluate, parseCheck, type Check, type Creds, type Target } from './check';

export type PolicyDefaults = Readonly<Record<string, string>>;

/** The creds a context stands for (oslo.context's to_policy_values). */
export function credsOf(ctx: RequestContext): Creds {
  return {
    user_id: ctx.userId, project_id: ctx.projectId, roles: ctx.roles, is_admin: ctx.isAdmin, is_admin_project: true,
    system_scope: null, domain_id: ctx.projectDomainId, user_domain_id: ctx.userDomainId, project_domain_id: ctx.projectDomainId,
    service_user_id: ctx.service?.userId ?? null, service_roles: ctx.service?.roles ?? [],
  };
}

export class Enforcer {
  private readonly rules = new Map<string, Check>();

  /** `file`: YAML { "<rule>": "<check>" }; a bad file or rule stops the service at start. */
  constructor(defaults: PolicyDefaults, file: string | null = null, private readonly deny: (action: string) => Error) {
    for (const [name, text] of Object.entries(defaults)) this.rules.set(name, parseCheck(text));
    if (file) this.load(file);
  }

  private load(file: string): void {
    let data: unknown;
    try {
      // Loaded here, not at start: most deployments have no policy file, and the parser is 72 modules.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous, lazy load
      const { parse } = require('yaml') as typeof import('yaml');
      data = parse(readFileSync(file, 'utf8'));
    } catch (e) {
      // One line (the YAML parser adds a code frame below its message).
      throw new ConfigError(`Cannot read the policy file ${file}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (data === null || data === undefined) return;
    if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError(`The policy file ${file} is not a mapping of rule names to checks`);
    for (const [name, text] of Object.entries(data as Record<string, unknown>)) {
      if (typeof text !== 'string') throw new ConfigError(`Policy rule ${name} in ${file} is not a string`);
      try {
        this.rules.set(name, parseCheck(text));
      } catch (e) {
        throw new ConfigError(`${(e as Error).message} (${name} in ${file})`);
      }
    }
  }

  /** Whether the caller may do `action` on `target`. An action no rule names is refused. */
  allows(ctx: RequestContext, action: string, target: Target = {}): boolean {
    const rule = this.rules.get(action);
    if (!rule) return false;
    return evaluate(rule, { project_id: ctx.projectId, user_id: ctx.userId, ...target }, credsOf(ctx), (n) => this.rules.get(n));
  }

  /** context.can(): throws the service's PolicyNotAuthorized when not allowed. */
  authorize(ctx: RequestContext, action: string, target: Target = {}): void {
    if (!this.allows(ctx, action, target)) throw this.deny(action);
  }
}
