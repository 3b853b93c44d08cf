// oslo.policy's rule language, the part Nova's and Cinder's defaults and operators' overrides
// use: "@" (anyone), "!" (no one), "rule:<name>", "role:<name>", "<cred>:<value>" where the
// value is a literal (True, False, all, a string) or "%(<target key>)s", combined with
// "and", "or", "not" and parentheses. An empty rule allows, as oslo.policy's does.

export type Check =
  | { kind: 'true' } | { kind: 'false' }
  | { kind: 'rule'; name: string }
  | { kind: 'role'; role: string }
  | { kind: 'generic'; key: string; value: string }
  | { kind: 'not'; check: Check }
  | { kind: 'and' | 'or'; checks: Check[] };

/** Who is asking, as oslo.policy's creds dict (RequestContext.to_policy_values). */
export interface Creds {
  user_id: string | null;
  project_id: string | null;
  roles: readonly string[];
  is_admin: boolean;
  [key: string]: unknown;
}

export type Target = Record<string, unknown>;

export class PolicySyntaxError extends Error {
  constructor(rule: string, why: string) {
    super(`Invalid policy rule '${rule}': ${why}`);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'PolicySyntaxError';
  }
}

/** Whitespace-separated words, with parentheses peeled off their ends (not out of "%(key)s"). */
function tokenize(text: string): string[] {
  const out: string[] = [];
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.startsWith('(')) { out.push('('); word = word.slice(1); }
    let closing = 0;
    while (word.endsWith(')') && !/%\(\w+\)$/.test(word)) { closing++; word = word.slice(0, -1); }
    if (word) out.push(word);
    for (let i = 0; i < closing; i++) out.push(')');
  }
  return out;
}

/** Parse a check string; a syntax error names the rule. */
export function parseCheck(text: string): Check {
  const tokens = tokenize(text);
  if (!tokens.length) return { kind: 'true' };
  let i = 0;
  const peek = (): string | undefined => tokens[i]?.toLowerCase();
  const orExpr = (): Check => {
    const checks = [andExpr()];
    while (peek() === 'or') { i++; checks.push(andExpr()); }
    return checks.length === 1 ? checks[0] : { kind: 'or', checks };
  };
  const andExpr = (): Check => {
    const checks = [notExpr()];
    while (peek() === 'and') { i++; checks.push(notExpr()); }
    return checks.length === 1 ? checks[0] : { kind: 'and', checks };
  };
  const notExpr = (): Check => {
    if (peek() === 'not') { i++; return { kind: 'not', check: notExpr() }; }
    return atom();
  };
  const atom = (): Check => {
    const t = tokens[i++];
    if (t === undefined) throw new PolicySyntaxError(text, 'it ends too early');
    if (t === '(') {
      const c = orExpr();
      if (tokens[i++] !== ')') throw new PolicySyntaxError(text, 'a parenthesis is not closed');
      return c;
    }
    if (t === '@') return { kind: 'true' };
    if (t === '!') return { kind: 'false' };
    const colon = t.indexOf(':');
    if (colon <= 0) throw new PolicySyntaxError(text, `'${t}' is not a check`);
    const key = t.slice(0, colon);
    const value = t.slice(colon + 1);
    if (key === 'rule') return { kind: 'rule', name: value };
    if (key === 'role') return { kind: 'role', role: value.toLowerCase() };
    return { kind: 'generic', key, value };
  };
  const check = orExpr();
  if (i !== tokens.length) throw new PolicySyntaxError(text, `unexpected '${tokens[i]}'`);
  return check;
}

/** A literal compared with a cred the way oslo.policy does: True/False are booleans, the rest text. */
function literalMatches(credValue: unknown, literal: string): boolean {
  const lower = literal.toLowerCase();
  if (lower === 'true' || lower === 'false') return credValue === (lower === 'true') || String(credValue).toLowerCase() === lower;
  return credValue !== null && credValue !== undefined && String(credValue) === literal.replace(/^['"]|['"]$/g, '');
}

/** Evaluate `check` for these creds against `target`; `rules` resolves rule:<name>. */
export function evaluate(check: Check, target: Target, creds: Creds, rules: (name: string) => Check | undefined, depth = 0): boolean {
  if (depth > 50) throw new PolicySyntaxError('rule:…', 'rules refer to each other in a loop');
  switch (check.kind) {
    case 'true': return true;
    case 'false': return false;
    case 'not': return !evaluate(check.check, target, creds, rules, depth + 1);
    case 'and': return check.checks.every((c) => evaluate(c, target, creds, rules, depth + 1));
    case 'or': return check.checks.some((c) => evaluate(c, target, creds, rules, depth + 1));
    case 'rule': {
      const r = rules(check.name);
      return r ? evaluate(r, target, creds, rules, depth + 1) : false;
    }
    case 'role': return creds.roles.some((r) => r.toLowerCase() === check.role);
    case 'generic': {
      const m = /^%\((\w+)\)s$/.exec(check.value);
      const credValue = creds[check.key];
      if (m) {
        const want = target[m[1]];
        return want !== undefined && want !== null && credValue !== null && credValue !== undefined && String(credValue) === String(want);
      }
      return literalMatches(credValue, check.value);
    }
  }
}
