// The differential's random walks (test/diff/random-scenarios.ts) keep out of what cannot compare.
import { expect } from 'chai';
import { randomScenarios } from '../../diff/random-scenarios';

describe('cinder-diff random walks', () => {
  const walks = [1, 11, 77, 6103].flatMap((seed) => randomScenarios(seed, 1200));
  const body = (s: { body?: unknown }): Record<string, Record<string, unknown>> => (s.body && typeof s.body === 'object' ? s.body : {}) as Record<string, Record<string, unknown>>;

  it('every os-attach starts in a second of its own (lists order attachments by created_at)', () => {
    for (const w of walks) {
      w.steps.forEach((s, i) => {
        if (s.method === 'POST' && 'os-attach' in body(s)) expect(w.steps[i - 1]?.nextSecond, `${w.name}#${i + 1}`).to.equal(true);
      });
    }
  });

  it('every detach is followed by a reset or an unreserve (one that finds nothing attached keeps the reservation here)', () => {
    for (const w of walks) {
      w.steps.forEach((s, i) => {
        const detach = (x: { method: string; body?: unknown }): boolean => x.method === 'POST' && ('os-detach' in body(x) || 'os-force_detach' in body(x));
        // A detach repeated (a flow's step played twice) is followed by what follows the last.
        if (!detach(s) || i === w.steps.length - 1 || detach(w.steps[i + 1])) return;
        const next = body(w.steps[i + 1]);
        expect(next['os-reset_status']?.status === 'available' || 'os-unreserve' in next, `${w.name}#${i + 1}`).to.equal(true);
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

  it('no request carries a character outside the BMP or a lone surrogate (Cinder answers 500, ours stores it: the walk would not compare after)', () => {
    const unstorable = /[\u{10000}-\u{10FFFF}]|\\ud[89a-f][0-9a-f]{2}/iu;
    const seeds = [6311, 6316, 1, 11, 77, 6103];
    for (const w of seeds.flatMap((seed) => randomScenarios(seed, 1200))) {
      w.steps.forEach((s, i) => expect(unstorable.test(s.raw ?? JSON.stringify(s.body) ?? ''), `${w.name}#${i + 1}`).to.equal(false));
    }
  });
});
