// Every test pause point the services declare is a step the fault suite kills a service at,
// and every step the suite names exists in the code: a new step cannot go untested.
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ATTACH_STEPS, ATTACH_STEPS_V3, DETACH_STEPS, DETACH_STEPS_V3, EXTEND_STEPS, LOCAL_DELETE_STEPS, MANAGE_STEPS, REBUILD_STEPS, SNAPSHOT_MANAGE_STEPS, RETYPE_STEPS, SNAPSHOT_STEPS, SWAP_STEPS, GROUP_STEPS } from '../../system/faults/fault-cluster';

const ROOT = join(__dirname, '../../../..');
const SOURCES = ['nova-api', 'nova-compute', 'cinder-api', 'cinder-volume', 'nova-common', 'cinder-common', 'common'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('test pause points', () => {
  it('are each a step of the fault-injection suite, and the suite names no step the code lacks', () => {
    const declared = new Set(SOURCES.flatMap((d) => tsFiles(join(ROOT, d)))
      .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/pausePoint\('([^']+)'\)/g)].map((m) => m[1])));
    const tested = new Set([...ATTACH_STEPS, ...DETACH_STEPS, ...ATTACH_STEPS_V3, ...DETACH_STEPS_V3, ...SWAP_STEPS, ...EXTEND_STEPS, ...RETYPE_STEPS, ...SNAPSHOT_STEPS, ...MANAGE_STEPS, ...SNAPSHOT_MANAGE_STEPS, ...GROUP_STEPS, ...REBUILD_STEPS, ...LOCAL_DELETE_STEPS].map(([, point]) => point));
    expect([...declared].filter((p) => !tested.has(p)).sort(), 'declared but never killed at').to.deep.equal([]);
    expect([...tested].filter((p) => !declared.has(p)).sort(), 'killed at but not declared').to.deep.equal([]);
    for (const [svc, point] of [...ATTACH_STEPS, ...DETACH_STEPS, ...ATTACH_STEPS_V3, ...DETACH_STEPS_V3, ...SWAP_STEPS, ...EXTEND_STEPS, ...RETYPE_STEPS, ...SNAPSHOT_STEPS, ...MANAGE_STEPS, ...SNAPSHOT_MANAGE_STEPS, ...GROUP_STEPS, ...REBUILD_STEPS, ...LOCAL_DELETE_STEPS]) expect(point.startsWith(`${svc}.`), point).to.equal(true);
  });
});
