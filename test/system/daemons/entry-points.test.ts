// Every bin entry: --version and --help answer without servers; a bad option value stops a
// daemon with one line naming the option and the file; so does a missing transport_url or
// [database] connection (no default: a daemon on fake:// or a stray SQLite file reaches nobody).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeConfig } from '../../support/processes';

const run = promisify(execFile);
const BIN = join(__dirname, '../../../bin');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION = (require('../../../../package.json') as { version: string }).version;

async function bin(name: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(BIN, `${name}.js`), ...args], { timeout: 30_000, env: { PATH: process.env.PATH } });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const DAEMONS = ['nova-api', 'nova-compute', 'cinder-api', 'cinder-volume', 'attachd-all'];
const ALL = [...DAEMONS, 'nova-manage', 'cinder-manage', 'attachd'];

describe('entry points', function () {
  this.timeout(60_000);

  for (const name of ALL) {
    it(`${name} --version and --help`, async () => {
      const v = await bin(name, ['--version']);
      expect(v.code).to.equal(0);
      expect(v.stdout.trim()).to.equal(VERSION);
      const h = await bin(name, ['--help']);
      expect(h.code).to.equal(0);
      expect(h.stdout).to.match(new RegExp(`^Usage: ${name} `));
      if (name !== 'attachd') expect(h.stdout).to.include('--config-file <path>');
    });
  }

  for (const name of DAEMONS) {
    it(`${name} stops on a bad option value with one line naming it and the file`, async () => {
      const file = writeConfig('bad.conf', '[DEFAULT]\nreport_interval = often\n');
      const r = await bin(name, ['--config-file', file]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal(`${name}: Invalid value for option [DEFAULT] report_interval in ${file}: "often" is not an integer\n`);
    });
  }

  const SERVICES = [['nova-api', 'NOVA'], ['nova-compute', 'NOVA'], ['cinder-api', 'CINDER'], ['cinder-volume', 'CINDER']] as const;
  for (const [name, project] of SERVICES) {
    it(`${name} without transport_url or [database] connection exits 1 with one line naming them`, async () => {
      const none = await bin(name, []);
      expect(none.code).to.equal(1);
      expect(none.stderr).to.equal(`${name}: [DEFAULT] transport_url and [database] connection are not set: no --config-file given `
        + `(or the environment variables TRANSPORT_URL and ${project}_DATABASE_URL)\n`);
      const file = writeConfig('svc.conf', '[DEFAULT]\ntransport_url = rabbit://guest:guest@127.0.0.1:1/\n');
      const noDb = await bin(name, ['--config-file', file]);
      expect(noDb.code).to.equal(1);
      expect(noDb.stderr).to.equal(`${name}: [database] connection is not set in ${file} (or the environment variable ${project}_DATABASE_URL)\n`);
    });

    it(`${name} refuses the in-process fake:// transport with one line`, async () => {
      const file = writeConfig('fake.conf', `[DEFAULT]\ntransport_url = fake://\n[database]\nconnection = sqlite:///nonexistent/${name}.sqlite\n`);
      const r = await bin(name, ['--config-file', file]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal(`${name}: [DEFAULT] transport_url is fake://, the in-process transport, which cannot reach other processes `
        + '(only attachd-all may use it): set a rabbit:// URL\n');
    });
  }

  for (const [name, project] of [['nova-manage', 'NOVA'], ['cinder-manage', 'CINDER']] as const) {
    it(`${name} db sync without [database] connection exits 1 with one line`, async () => {
      const file = writeConfig('manage.conf', '[DEFAULT]\nhost = h1\n');
      const r = await bin(name, ['--config-file', file, 'db', 'sync']);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal(`${name}: [database] connection is not set in ${file} (or the environment variable ${project}_DATABASE_URL)\n`);
    });
  }

  it('nova-manage volume_attachment get_connector prints the connector its nova-compute sends (table, or --json)', async () => {
    const file = writeConfig('connector.conf', '[DEFAULT]\nhost = h7\nmy_ip = 127.0.0.7\n[compute]\ninitiator_name = iqn.2004-10.org.example:h7\n');
    const json = await bin('nova-manage', ['--config-file', file, 'volume_attachment', 'get_connector', '--json']);
    expect(json.code, json.stderr).to.equal(0);
    expect(JSON.parse(json.stdout)).to.include({ host: 'h7', ip: '127.0.0.7', initiator: 'iqn.2004-10.org.example:h7', multipath: false, do_local_attach: false });
    const table = await bin('nova-manage', ['--config-file', file, 'volume_attachment', 'get_connector']);
    expect(table.code).to.equal(0);
    expect(table.stdout).to.match(/^\| initiator +\| iqn\.2004-10\.org\.example:h7 +\|$/m).and.match(/^\| multipath +\| False +\|$/m);
  });

  it('the README runs the CLIs through npx from the checkout: the built bins are executable', async () => {
    const root = join(__dirname, '../../../..');
    for (const name of ['attachd', 'nova-manage']) {
      const r = await run('npx', ['--no-install', name, '--version'], { cwd: root, timeout: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp' } });
      expect(r.stdout.trim()).to.equal(VERSION);
    }
  });

  it('a config file that cannot be read is named', async () => {
    const r = await bin('nova-api', ['--config-file', '/nonexistent/nova.conf']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^nova-api: Cannot read config file \/nonexistent\/nova\.conf: .+\n$/);
  });
});
