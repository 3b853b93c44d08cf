import { expect } from 'chai';
import { join } from 'node:path';
import { loadAllInOneConfig } from '../../../all-in-one/main';
import { writeConfig } from '../../support/processes';

const ETC = join(__dirname, '../../../../etc');

describe('attachd-all configuration', () => {
  it('defaults to the embedded setup: fake://, SQLite in the data dir, the embedded identity (keystone), fake drivers', () => {
    const { nova, cinder } = loadAllInOneConfig({ configFiles: [], dataDir: '/tmp/aio-data', env: {} });
    expect(nova.DEFAULT.transport_url).to.equal('fake://');
    expect(nova.database.connection).to.equal('sqlite:///tmp/aio-data/nova.sqlite');
    expect(cinder.database.connection).to.equal('sqlite:///tmp/aio-data/cinder.sqlite');
    // Never noauth2 by default: anyone could make its tokens.
    expect([nova.api.auth_strategy, cinder.api.auth_strategy]).to.deep.equal(['keystone', 'keystone']);
    expect(nova.compute.volume_connector).to.equal('fake');
    expect(cinder.DEFAULT.enabled_backends).to.deep.equal(['fake']);
    expect(nova.cinder.endpoint).to.equal('http://127.0.0.1:8776/v3/%(project_id)s');
  });

  it('points nova at the configured cinder-api port and takes the databases from their own sections', () => {
    const file = writeConfig('aio.conf', '[DEFAULT]\nosapi_volume_listen_port = 9876\n[nova_database]\nconnection = mysql://n:p@127.0.0.1/nova\n[cinder_database]\nconnection = mysql://c:p@127.0.0.1/cinder\n');
    const { nova, cinder } = loadAllInOneConfig({ configFiles: [file], dataDir: 'data', env: {} });
    expect(nova.cinder.endpoint).to.equal('http://127.0.0.1:9876/v3/%(project_id)s');
    expect(nova.database.connection).to.equal('mysql://n:p@127.0.0.1/nova');
    expect(cinder.database.connection).to.equal('mysql://c:p@127.0.0.1/cinder');
  });

  it('lets the environment win over the files', () => {
    const env = { TRANSPORT_URL: 'rabbit://u:p@127.0.0.1:5672/', NOVA_DATABASE_URL: 'mysql://a:b@127.0.0.1/n1', CINDER_DATABASE_URL: 'mysql://a:b@127.0.0.1/c1' };
    const { nova, cinder } = loadAllInOneConfig({ configFiles: [join(ETC, 'attachd-all.conf')], dataDir: 'data', env });
    expect([nova.DEFAULT.transport_url, cinder.DEFAULT.transport_url]).to.deep.equal([env.TRANSPORT_URL, env.TRANSPORT_URL]);
    expect([nova.database.connection, cinder.database.connection]).to.deep.equal([env.NOVA_DATABASE_URL, env.CINDER_DATABASE_URL]);
  });

  it('reads the sample etc/attachd-all.conf', () => {
    const { nova, cinder } = loadAllInOneConfig({ configFiles: [join(ETC, 'attachd-all.conf')], dataDir: 'data', env: {} });
    expect(nova.DEFAULT.transport_url).to.match(/^rabbit:\/\//);
    expect(nova.database.connection).to.match(/\/nova$/);
    expect(cinder.DEFAULT.enabled_backends).to.deep.equal(['tgt']);
    expect(nova.compute.volume_connector).to.equal('iscsi');
  });

  it('refuses a [database] section, which nova and cinder would share', () => {
    const file = writeConfig('aio.conf', '[database]\nconnection = mysql://x:y@127.0.0.1/nova\n');
    expect(() => loadAllInOneConfig({ configFiles: [file], dataDir: 'data', env: {} })).to.throw(/\[database\] connection in .*aio\.conf would be shared by nova and cinder: use \[nova_database\] and \[cinder_database\]/);
  });
});
