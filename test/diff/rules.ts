// The rules of test/diff/deliberate.json: which differences the differential test expects.
import type { Difference } from './normalise';

export interface Rule {
  /** Regexes; a rule matches a difference when every one given matches. */
  step?: string;
  kind?: string;
  at?: string;
  ours?: string;
  theirs?: string;
  /** The step's two HTTP statuses, "<ours> <theirs>": a state rule that holds only after a given answer. */
  statuses?: string;
  /** e.g. "deliberate: 500 upstream" or "pending: quotas". */
  reason: string;
}

/** Whether the rule explains difference d of the step ('<scenario>#<n> <request>') answered with statuses '<ours> <theirs>'. */
export function matches(rule: Rule, step: string, statuses: string, d: Difference): boolean {
  const test = (re: string | undefined, v: unknown): boolean => re === undefined || new RegExp(re).test(typeof v === 'string' ? v : JSON.stringify(v));
  return test(rule.step, step) && test(rule.kind, d.kind) && test(rule.at, d.at) && test(rule.ours, d.ours) && test(rule.theirs, d.theirs) && test(rule.statuses, statuses);
}
