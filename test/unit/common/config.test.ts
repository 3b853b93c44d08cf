import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMON_OPTS, loadConfig } from '../../../common/config';
import { ConfigError } from '../../../common/exception';

const SCHEMA = {
  ...COMMON_OPTS,
  database: { connection: { type: 'str', default: null, env: 'NOVA_DATABASE_URL', secret: true, help: 'DB URL' } },
  api: { auth_strategy: { type: 'str', default: 'noauth2', choices: ['noauth2', 'keystone'], help: 'auth' } },
} as const;

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function confFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'attachd-conf-'));
  dirs.push(dir);
  const f = join(dir, 'nova.conf');
  writeFileSync(f, text);
  return f;
}

describe('common/config', () => {
  it('reads typed values from INI files, later files winning', () => {
    const a = confFile('[DEFAULT]\nhost = node-a\nrpc_response_timeout = 30\ndebug = true\n');
    const b = confFile('[DEFAULT]\nhost = node-b\n[api]\nauth_strategy = keystone\n');
    const conf = loadConfig(SCHEMA, { configFiles: [a, b], env: {} });
    expect(conf.DEFAULT.host).to.equal('node-b');
    expect(conf.DEFAULT.rpc_response_timeout).to.equal(30);
    expect(conf.DEFAULT.debug).to.equal(true);
    expect(conf.api.auth_strategy).to.equal('keystone');
    // No default: common/cmd stops a daemon without one.
    expect(conf.DEFAULT.transport_url).to.equal(null);
  });

  it('lets the environment override files', () => {
    const f = confFile('[DEFAULT]\ntransport_url = rabbit://a:b@127.0.0.1:5672/\n[database]\nconnection = sqlite:///x.db\n');
    const conf = loadConfig(SCHEMA, {
      configFiles: [f],
      env: { TRANSPORT_URL: 'rabbit://u:p@127.0.0.1:5999/', NOVA_DATABASE_URL: 'mysql://u:p@127.0.0.1/nova' },
    });
    expect(conf.DEFAULT.transport_url).to.equal('rabbit://u:p@127.0.0.1:5999/');
    expect(conf.database.connection).to.equal('mysql://u:p@127.0.0.1/nova');
  });

  it('rejects a bad value with one line naming the option and the file', () => {
    const f = confFile('[DEFAULT]\nrpc_response_timeout = soon\n');
    expect(() => loadConfig(SCHEMA, { configFiles: [f], env: {} }))
      .to.throw(ConfigError, `Invalid value for option [DEFAULT] rpc_response_timeout in ${f}: "soon" is not an integer`);
    const g = confFile('[api]\nauth_strategy = magic\n');
    expect(() => loadConfig(SCHEMA, { configFiles: [g], env: {} })).to.throw(ConfigError, /auth_strategy.*not one of: noauth2, keystone/);
  });

  it('never prints a secret value in the error', () => {
    let msg = '';
    try {
      loadConfig({ DEFAULT: { pw: { type: 'int', secret: true, help: 'x', env: 'PW' } } }, { env: { PW: 'hunter2' } });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).to.contain('environment variable PW').and.not.contain('hunter2');
  });

  it('names a config file that cannot be read', () => {
    expect(() => loadConfig(SCHEMA, { configFiles: ['/nonexistent/nova.conf'], env: {} })).to.throw(ConfigError, /nonexistent\/nova.conf/);
  });
});
