// The oslo.policy rule language and the enforcer: Nova's and Cinder's default rules evaluate as
// oslo.policy evaluates them, overrides come from YAML rule by rule, bad files stop the start.
import { expect } from 'chai';
import { RequestContext } from '../../../common/context';
import { ConfigError } from '../../../common/exception';
import { Enforcer, evaluate, parseCheck, PolicySyntaxError, type Creds } from '../../../common/policy';
import { writeConfig } from '../../support/processes';

const creds = (roles: string[], project = 'p1'): Creds => ({ user_id: 'u1', project_id: project, roles, is_admin: roles.includes('admin') });
const ctx = (roles: string[], project = 'p1'): RequestContext => new RequestContext({ userId: 'u1', projectId: project, roles });
const deny = (action: string): Error => new Error(`Policy doesn't allow ${action} to be performed.`);

describe('common/policy', () => {
  it('parses and evaluates oslo.policy checks: @ ! role: rule: key:%(target)s literals, and/or/not, parentheses', () => {
    const rules = new Map([['admin', parseCheck('role:admin')]]);
    const e = (text: string, c: Creds, target: Record<string, unknown> = { project_id: 'p1' }): boolean => evaluate(parseCheck(text), target, c, (n) => rules.get(n));
    expect(e('@', creds([]))).to.equal(true);
    expect(e('', creds([]))).to.equal(true);
    expect(e('!', creds(['admin']))).to.equal(false);
    expect(e('role:Reader', creds(['reader']))).to.equal(true);
    expect(e('role:member and project_id:%(project_id)s', creds(['member']))).to.equal(true);
    expect(e('role:member and project_id:%(project_id)s', creds(['member'], 'p2'))).to.equal(false);
    expect(e('(role:admin) or (role:reader and project_id:%(project_id)s)', creds(['reader'], 'p2'))).to.equal(false);
    expect(e('rule:admin or not role:reader', creds([]))).to.equal(true);
    expect(e('rule:admin or not role:reader', creds(['reader']))).to.equal(false);
    expect(e('is_admin:True', creds(['admin']))).to.equal(true);
    expect(e('is_admin:True', creds(['member']))).to.equal(false);
    expect(e('project_id:%(project_id)s', creds([]), {})).to.equal(false);
    expect(e('rule:nowhere', creds(['admin']))).to.equal(false);
    for (const bad of ['role:a and', '(role:a', 'nonsense', 'role:a role:b']) expect(() => parseCheck(bad), bad).to.throw(PolicySyntaxError);
  });

  it('enforces defaults, takes YAML overrides rule by rule, and refuses actions no rule names', () => {
    const defaults = { member: 'role:member and project_id:%(project_id)s', 'thing:create': 'rule:member', 'thing:reset': 'role:admin' };
    const e = new Enforcer(defaults, null, deny);
    expect(e.allows(ctx(['member']), 'thing:create')).to.equal(true);
    expect(e.allows(ctx(['member']), 'thing:create', { project_id: 'p2' })).to.equal(false);
    expect(() => e.authorize(ctx(['reader']), 'thing:create')).to.throw("Policy doesn't allow thing:create to be performed.");
    expect(e.allows(ctx(['admin']), 'thing:unknown')).to.equal(false);
    const file = writeConfig('policy.yaml', '"thing:reset": "role:member"\n"thing:create": "!"\n');
    const o = new Enforcer(defaults, file, deny);
    expect(o.allows(ctx(['member']), 'thing:reset')).to.equal(true);
    expect(o.allows(ctx(['admin', 'member']), 'thing:create')).to.equal(false);
  });

  it('stops at start on a bad policy file, with one line naming the rule and the file', () => {
    const bad = writeConfig('policy.yaml', '"thing:create": "role:a and"\n');
    expect(() => new Enforcer({}, bad, deny)).to.throw(ConfigError, /Invalid policy rule 'role:a and': it ends too early \(thing:create in .*policy\.yaml\)/);
    const notYaml = writeConfig('policy.yaml', 'a: [\n');
    try {
      new Enforcer({}, notYaml, deny);
      expect.fail('no error');
    } catch (e) {
      expect((e as Error).message.split('\n')).to.have.length(1);
    }
    expect(() => new Enforcer({}, '/nonexistent/policy.yaml', deny)).to.throw(ConfigError, /Cannot read the policy file/);
  });
});
