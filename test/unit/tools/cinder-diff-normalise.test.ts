// The differential test's normaliser (test/diff/normalise.ts): what it must not count as a difference.
import { expect } from 'chai';
import { compare, Side, type Answer } from '../../diff/normalise';

const answer = (body: unknown): Answer => ({ status: 200, headers: { 'content-type': 'application/json' }, body });

describe('cinder-diff normaliser', () => {
  it("a volume's attachments compare in any order (Cinder lists them in its random ids' order)", () => {
    const legacy = { server_id: null, host_name: 'difflegacy', device: '/dev/vdb', attachment_id: '6f0b7c1e-0a4c-4c63-9d0e-2b4e0f1a9c11' };
    const api = { server_id: '11111111-2222-4333-8444-555555555555', host_name: null, device: null, attachment_id: '0d3f4a55-93b8-4f4e-8f6a-5c2f7e9d1b22' };
    const o = new Side('ours', 'http://ours');
    const t = new Side('theirs', 'http://theirs');
    expect(compare(answer({ volume: { attachments: [api, legacy] } }), answer({ volume: { attachments: [legacy, api] } }), o, t)).to.deep.equal([]);
    // The attachments API's lists keep their order: it is what their sort asked for.
    const summaries = (ids: string[]): unknown => ({ attachments: ids.map((id) => ({ id, status: 'reserved' })) });
    expect(compare(answer(summaries(['a', 'b'])), answer(summaries(['b', 'a'])), o, t)).to.not.deep.equal([]);
  });

  it("an attachment DELETE's attachments left compare in any order (Cinder reads them back with no ORDER BY)", () => {
    const o = new Side('ours', 'http://ours');
    const t = new Side('theirs', 'http://theirs');
    const server = { id: '6f0b7c1e-0a4c-4c63-9d0e-2b4e0f1a9c11', status: 'reserved', instance: '11111111-2222-4333-8444-555555555555', volume_id: null };
    const none = { id: '0d3f4a55-93b8-4f4e-8f6a-5c2f7e9d1b22', status: 'reserved', instance: null, volume_id: null };
    const left = (rows: unknown[]): Answer => answer({ attachments: rows });
    expect(compare(left([server, none]), left([none, server]), o, t, { unordered: true })).to.deep.equal([]);
    expect(compare(left([server, none]), left([none, server]), o, t)).to.not.deep.equal([]);
    // Still a difference: what is left.
    expect(compare(left([server, none]), left([none, none]), o, t, { unordered: true })).to.not.deep.equal([]);
  });

  it("the volume summary's metadata values compare as sets (Cinder's DISTINCT has no ORDER BY)", () => {
    const o = new Side('ours', 'http://ours');
    const t = new Side('theirs', 'http://theirs');
    const summary = (values: string[]): Answer => answer({ 'volume-summary': { total_size: 2, total_count: 2, metadata: { readonly: values } } });
    expect(compare(summary(['b', '1']), summary(['1', 'b']), o, t)).to.deep.equal([]);
    expect(compare(summary(['b', '1']), summary(['1', 'c']), o, t)).to.not.deep.equal([]);
  });
});
