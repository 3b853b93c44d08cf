// use_queue_manager (oslo's QManager): reply and fanout queues named
// `<hostname>:<processname>:<n>`, n counted per process group in a shared file and started
// over after a restart; rabbit_stream_fanout's queue; enable_cancel_on_failover's argument.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../common/config';
import { MESSAGING_OPTS } from '../../../common/config/messaging-opts';
import { QueueLayout } from '../../../common/rpc/drivers/layout';
import { QManager } from '../../../common/rpc/drivers/qmanager';
import { MessagingError, RPCClient, RPCServer, Target, getRpcTransport, rabbitTransportOptions } from '../../../common/rpc';
import { fakeBrokerFor } from '../../../common/rpc/drivers/fake';

const conf = (rabbit: Record<string, unknown> = {}) => loadConfig(MESSAGING_OPTS, { defaults: { oslo_messaging_rabbit: rabbit }, env: {} });

describe('queue names and arguments', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'qm-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('QManager counts 1, 2, 3 in this process group, shared by every instance of the name', () => {
    const a = new QManager('node1', 'nova-compute', dir);
    const b = new QManager('node1', 'nova-compute', dir);
    expect([a.get(), b.get(), a.get()]).to.deep.equal(['node1:nova-compute:1', 'node1:nova-compute:2', 'node1:nova-compute:3']);
    expect(new QManager('node1', 'cinder-volume', dir).get()).to.equal('node1:cinder-volume:1');
    expect(readFileSync(join(dir, 'node1_nova-compute_qmanager'), 'utf8')).to.match(/^\d+:3:\d+$/);
  });

  it('QManager starts over at 1 after a restart (another process group wrote the file)', () => {
    writeFileSync(join(dir, 'node1_nova-api_qmanager'), '1:17:42');
    expect(new QManager('node1', 'nova-api', dir).get()).to.equal('node1:nova-api:1');
  });

  it('use_queue_manager names reply and fanout queues after hostname and processname, and keeps them on stop', async () => {
    const o = rabbitTransportOptions(conf({ use_queue_manager: true, hostname: `h-${randomUUID()}`, processname: 'nova-api' }));
    expect(o.processname).to.equal('nova-api');
    expect(rabbitTransportOptions(conf()).processname).to.be.a('string').and.not.match(/\.js$/);
    const url = `fake://qm-${randomUUID()}`;
    const t = getRpcTransport(url, o);
    try {
      const server = new RPCServer(t, new Target({ topic: 'compute', server: 'h1' }), [{ methods: { echo: (_c, a) => a.v } }]);
      await server.start();
      expect(await new RPCClient(t, new Target({ topic: 'compute' }), { timeout: 5 }).call({}, 'echo', { v: 1 })).to.equal(1);
      const names = [...fakeBrokerFor(url).queues.keys()];
      expect(names).to.include.members([`compute_fanout_${o.hostname}:nova-api:1`, `reply_${o.hostname}:nova-api:2`]);
      // Kept on stop: the next start (counting from 1 again) declares the same queues.
      await server.stop();
      expect([...fakeBrokerFor(url).queues.keys()]).to.include(`compute_fanout_${o.hostname}:nova-api:1`);
    } finally {
      await t.close();
      rmSync(`/dev/shm/${o.hostname}_nova-api_qmanager`, { force: true });
    }
  });

  it('rabbit_stream_fanout: one durable stream <topic>_fanout with x-max-age; needs rabbit_transient_quorum_queue', () => {
    const l = new QueueLayout(rabbitTransportOptions(conf({ rabbit_stream_fanout: true, rabbit_transient_quorum_queue: true })));
    expect(l.fanoutQueue('compute', 'ignored')).to.deep.equal({
      name: 'compute_fanout', durable: true, autoDelete: false, exclusive: false, arguments: { 'x-queue-type': 'stream', 'x-max-age': '1800s' },
    });
    const classic = new QueueLayout(rabbitTransportOptions(conf()));
    expect(classic.fanoutQueue('compute', 'abc').name).to.equal('compute_fanout_abc');
    expect(() => getRpcTransport('fake://s', rabbitTransportOptions(conf({ rabbit_stream_fanout: true }))))
      .to.throw(MessagingError, /rabbit_stream_fanout needs rabbit_transient_quorum_queue/);
  });

  it('enable_cancel_on_failover: consumers ask for x-cancel-on-ha-failover', () => {
    expect(new QueueLayout(rabbitTransportOptions(conf({ enable_cancel_on_failover: true }))).consumerArguments())
      .to.deep.equal({ 'x-cancel-on-ha-failover': true });
    expect(new QueueLayout(rabbitTransportOptions(conf())).consumerArguments()).to.equal(undefined);
  });
});
