import { expect } from 'chai';
import { requirePythonModule, requireRoot, requireTool } from '../../support/servers';

describe('test support: tools a test needs fail under CI=true instead of skipping', () => {
  let saved: string | undefined;
  beforeEach(() => { saved = process.env.CI; });
  afterEach(() => { if (saved === undefined) delete process.env.CI; else process.env.CI = saved; });

  it('a missing command fails, naming its package', async function () {
    process.env.CI = 'true';
    let err: Error | null = null;
    await requireTool(this, 'no-such-tool-attachd', 'no-such-package').catch((e: Error) => { err = e; });
    expect(err).to.be.instanceOf(Error);
    expect(String(err)).to.include('no-such-tool-attachd is not installed (Debian package no-such-package');
  });

  it('a present command passes; root is checked the same way', async function () {
    process.env.CI = 'true';
    await requireTool(this, 'sh', 'dash');
    if (process.getuid?.() === 0) requireRoot(this, 'x');
    else expect(() => requireRoot(this, 'x')).to.throw('x needs root');
  });

  it('a missing python module fails, naming its package; a present one passes', async function () {
    process.env.CI = 'true';
    let err: Error | null = null;
    await requirePythonModule(this, 'no_such_module_attachd', 'no-such-package').catch((e: Error) => { err = e; });
    expect(String(err)).to.include('python module no_such_module_attachd is not installed (Debian package no-such-package');
    await requirePythonModule(this, 'json', 'python3');
  });
});
