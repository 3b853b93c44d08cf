// No shipped default lets anyone in: the API daemons started from the sample configs (with only
// the servers given) refuse to start, with one line saying why, rather than accept tokens signed
// with a secret anyone can read; so do they with a published or a short secret. The fresh
// all-in-one's side of this is in test/functional/all-in-one and test/system/all-in-one.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeConfig } from '../../support/processes';

const run = promisify(execFile);
const ROOT = join(__dirname, '../../../..');
const BIN = join(__dirname, '../../../bin');

async function start(bin: string, configs: string[]): Promise<{ code: number; stderr: string }> {
  const env = { ...process.env, TRANSPORT_URL: 'rabbit://u:p@127.0.0.1:1/', NOVA_DATABASE_URL: 'mysql://u:p@127.0.0.1:1/nova', CINDER_DATABASE_URL: 'mysql://u:p@127.0.0.1:1/cinder' };
  try {
    await run(process.execPath, [join(BIN, `${bin}.js`), ...configs.flatMap((c) => ['--config-file', c])], { env, timeout: 30_000 });
    return { code: 0, stderr: '' };
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
}

describe('safe defaults: the API daemons refuse a forgeable identity setup', function () {
  this.timeout(60_000);

  for (const [bin, sample] of [['nova-api', 'etc/nova.conf'], ['cinder-api', 'etc/cinder.conf']]) {
    it(`${bin} from ${sample}: exit 1, one line — the sample has no token_secret`, async () => {
      const r = await start(bin, [join(ROOT, sample)]);
      expect(r.code).to.equal(1);
      expect(r.stderr.trim().split('\n')).to.have.length(1);
      expect(r.stderr).to.match(new RegExp(`^${bin}: \\[api\\] token_secret is empty: anyone could forge a token`));
    });

    it(`${bin} with the secret once printed in the sources, or a short one: exit 1, one line`, async () => {
      for (const [secret, why] of [['attachd-dev-secret', 'a published sample value'], ['<32 random characters, the same everywhere>', 'a published sample value'], ['s3cr3t', 'has 6 characters']]) {
        const r = await start(bin, [join(ROOT, sample), writeConfig('override.conf', `[api]\ntoken_secret = ${secret}\n`)]);
        expect(r.code, secret).to.equal(1);
        expect(r.stderr).to.contain(why);
        expect(r.stderr, 'the secret itself is never printed').to.not.contain(secret.length > 8 ? secret : `= ${secret}`);
      }
    });
  }
});
