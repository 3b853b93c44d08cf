import { expect } from 'chai';
import { checkRequiredOptions, daemonSchema, refuseFakeTransport, requiredOptions } from '../../../common/cmd';
import { loadConfig } from '../../../common/config';
import { ConfigError } from '../../../common/exception';
import { CINDER_OPTS } from '../../../cinder-common/config';
import { NOVA_OPTS } from '../../../nova-common/config';
import { writeConfig } from '../../support/processes';

const NOVA = daemonSchema(NOVA_OPTS);

/** The error checkRequiredOptions throws for these files and env, or null. */
function check(files: string[], env: NodeJS.ProcessEnv, which?: Array<[string, string]>): string | null {
  const conf = loadConfig(NOVA, { configFiles: files, env });
  try {
    checkRequiredOptions(NOVA, conf, files, which);
    return null;
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as Error).message;
  }
}

describe('common/cmd required options', () => {
  it('transport_url and [database] connection are the required options of both services', () => {
    expect(requiredOptions(NOVA)).to.deep.equal([['DEFAULT', 'transport_url'], ['database', 'connection']]);
    expect(requiredOptions(daemonSchema(CINDER_OPTS))).to.deep.equal([['DEFAULT', 'transport_url'], ['database', 'connection']]);
  });

  it('names the unset option, the file it looked in and the environment variable', () => {
    const f = writeConfig('nova.conf', '[DEFAULT]\nhost = c1\n[database]\nconnection = mysql://n:p@127.0.0.1/nova\n');
    expect(check([f], {})).to.equal(`[DEFAULT] transport_url is not set in ${f} (or the environment variable TRANSPORT_URL)`);
  });

  it('names both when both are unset, and every file given', () => {
    const a = writeConfig('a.conf', '[DEFAULT]\nhost = c1\n');
    const b = writeConfig('b.conf', '[DEFAULT]\ntransport_url =\n');
    expect(check([a, b], {})).to.equal(`[DEFAULT] transport_url and [database] connection are not set in ${a}, ${b} `
      + '(or the environment variables TRANSPORT_URL and NOVA_DATABASE_URL)');
  });

  it('says when no --config-file was given', () => {
    expect(check([], { TRANSPORT_URL: 'rabbit://u:p@127.0.0.1:5672/' }))
      .to.equal('[database] connection is not set: no --config-file given (or the environment variable NOVA_DATABASE_URL)');
  });

  it('passes when the file or the environment sets them; checks only the options asked for', () => {
    const f = writeConfig('nova.conf', '[DEFAULT]\ntransport_url = rabbit://u:p@127.0.0.1:5672/\n');
    expect(check([f], { NOVA_DATABASE_URL: 'mysql://n:p@127.0.0.1/nova' })).to.equal(null);
    expect(check([], { NOVA_DATABASE_URL: 'sqlite:///tmp/n.sqlite' }, [['database', 'connection']])).to.equal(null);
  });

  it('never prints the values (they carry passwords)', () => {
    const f = writeConfig('nova.conf', '[database]\nconnection = mysql://n:hunter2@127.0.0.1/nova\n');
    expect(check([f], {})).to.not.contain('hunter2');
  });

  it('refuses fake:// for a daemon, whatever its name part', () => {
    for (const url of ['fake://', 'fake://nova-1', ' FAKE:// ']) expect(() => refuseFakeTransport(url)).to.throw(ConfigError, /only attachd-all may use it/);
    expect(() => refuseFakeTransport('rabbit://u:p@127.0.0.1:5672/')).to.not.throw();
  });
});
