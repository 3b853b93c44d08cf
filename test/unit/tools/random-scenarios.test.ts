// The differential's random walks (test/diff/random-scenarios.ts) keep out of what cannot compare.
import { expect } from 'chai';
import { randomScenarios } from '../../diff/random-scenarios';

describe('cinder-diff random walks', () => {
  const walks = [1, 11, 77].flatMap((seed) => randomScenarios(seed, 1200));
  const body = (s: { body?: unknown }): Record<string, Record<string, unknown>> => (s.body && typeof s.body === 'object' ? s.body : {}) as Record<string, Record<string, unknown>>;

  it('every os-attach starts in a second of its own (lists order attachments by created_at)', () => {
    for (const w of walks) {
      w.steps.forEach((s, i) => {
        if (s.method === 'POST' && 'os-attach' in body(s)) expect(w.steps[i - 1]?.nextSecond, `${w.name}#${i + 1}`).to.equal(true);
      });
    }
  });

  it('an attachment created with a connector is for no server (deleting it would ask Nova)', () => {
    for (const w of walks) {
      for (const s of w.steps) {
        const a = body(s).attachment;
        if (s.method === 'POST' && s.path === '/v3/{p}/attachments' && a?.connector) expect(a.instance_uuid, w.name).to.equal(undefined);
      }
    }
  });
});
