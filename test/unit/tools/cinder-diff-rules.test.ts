// The differential test's rules (test/diff/deliberate.json, test/diff/rules.ts).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { matches, type Rule } from '../../diff/rules';

const rules = (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'diff', 'deliberate.json'), 'utf8')) as { rules: Rule[] }).rules;
const reason = (step: string, statuses: string, d: { kind: string; at: string; ours: unknown; theirs: unknown }): string | undefined =>
  rules.find((r) => matches(r, step, statuses, d))?.reason;

describe('cinder-diff rules', () => {
  it('a detach that leaves the volume available here and attached in Cinder is explained only after Cinder\'s 500', () => {
    const step = 'random-1-0#64 POST /v3/{p}/volumes/{v1}/action [3.42] {"os-detach":{}}';
    const d = { kind: 'state', at: 'status', ours: 'available', theirs: 'in-use' };
    expect(reason(step, '202 500', d)).to.match(/after that 500/);
    expect(reason(step, '202 202', d)).to.equal(undefined);
  });

  it('a create without size is explained whatever else its body holds (Cinder answers webob\'s bare 400)', () => {
    const d = {
      kind: 'message', at: 'message',
      ours: 'Invalid input received: Invalid volume size provided for create request: None (size argument must be an integer (or string representation of an integer) and greater than zero).',
      theirs: 'The server could not comply with the request since it is either malformed or otherwise incorrect.',
    };
    for (const body of ['{"volume":{}}', '{"volume":{"display_name":"alpha","metadata":{"readonly":"True"}}}', '{"volume":{"size":null}}']) {
      expect(reason(`random-1-8#12 POST /v3/{p}/volumes [3.54] ${body}`, '400 400', d), body).to.match(/^deliberate: a create without size/);
    }
    expect(reason('random-1-8#12 POST /v3/{p}/volumes [3.54] {"volume":{"size":1}}', '400 400', { ...d, ours: 'Invalid input received: Invalid volume size provided for create request: 0 (…)' })).to.equal(undefined);
  });

  it('an attachment update answers the row as saved, whatever query its URL carries', () => {
    const d = { kind: 'value', at: '.attachment.status', ours: 'attaching', theirs: 'reserved' };
    for (const path of ['/v3/{p}/attachments/{a2}', '/v3/{p}/attachments/{a12}?name=beta']) {
      expect(reason(`random-1-8#38 PUT ${path} [3.54] {"attachment":{"connector":{}}}`, '200 200', d), path).to.match(/answers the row as saved/);
    }
  });
});
