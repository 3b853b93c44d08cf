// Notifications between our Notifier/NotificationListener and Python oslo.messaging.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { waitFor } from '../../support/processes';
import { requireTransportUrl } from '../../support/servers';
import { Peer, run, pythonOsloAvailable, type Line } from './peers';
import { getRpcTransport, Notifier, NotificationListener, Target, type Notification } from '../../../common/rpc';

describe('interop: notifications', function () {
  this.timeout(60_000);
  let url: string;

  before(async function () {
    url = await requireTransportUrl(this);
    if (!pythonOsloAvailable()) {
      if (process.env.CI === 'true') throw new Error('python3-oslo.messaging is not installed');
      this.skip();
    }
  });

  it('our notifications (messagingv2 and messaging) are read by a Python listener', async () => {
    const topic = `notif_${randomBytes(4).toString('hex')}`;
    const listener = new Peer('py', ['listen', '--url', url, '--topic', topic, '--count', '2', '--timeout', '30']);
    try {
      await listener.ready();
      const transport = getRpcTransport(url);
      try {
        const ctx = { user_id: 'u1', auth_token: 'SECRET', request_id: 'req-n1' };
        await new Notifier(transport, { publisherId: 'volume.host1', topics: [topic] })
          .info(ctx, 'volume.attach.end', { volume_id: 'v1' });
        await new Notifier(transport, { publisherId: 'volume.host1', topics: [topic], driver: 'messaging' })
          .error(ctx, 'volume.attach.error', { why: 'x' });
      } finally {
        await transport.close();
      }
      expect(await listener.exit()).to.equal(0);
    } finally {
      await listener.stop();
    }
    const got = listener.events('notification').sort((a, b) => String(a.priority).localeCompare(String(b.priority)));
    expect(got.map((n: Line) => [n.priority, n.event_type, n.publisher_id])).to.deep.equal([
      ['error', 'volume.attach.error', 'volume.host1'],
      ['info', 'volume.attach.end', 'volume.host1'],
    ]);
    expect(got[1].payload).to.deep.equal({ volume_id: 'v1' });
    // Tokens never leave in a notification.
    // (Python's listener adds client_timeout: None to every incoming context.)
    expect(got[1].ctxt).to.deep.equal({ user_id: 'u1', request_id: 'req-n1', client_timeout: null });
    expect(String((got[1].metadata as Line).message_id)).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('a Python notification is read by our listener', async () => {
    const topic = `notif_${randomBytes(4).toString('hex')}`;
    const transport = getRpcTransport(url);
    const got: Notification[] = [];
    const listener = new NotificationListener(transport, [new Target({ topic })], { onMessage: (n) => { got.push(n); } }, { priorities: ['info', 'warn'] });
    try {
      await listener.start();
      for (const driver of ['messagingv2', 'messaging']) {
        const r = await run('py', ['notify', '--url', url, '--topic', topic, '--event-type', `py.${driver}`, '--payload', '{"n": 1}',
          '--publisher-id', 'py.host', '--driver', driver, '--context', '{"user_id": "u2", "auth_token": "T"}']);
        expect(r.last).to.deep.equal({ ok: true });
      }
      await waitFor(() => got.length >= 2, 10_000, 'both notifications', 50);
    } finally {
      await listener.stop();
      await transport.close();
    }
    expect(got.map((n) => [n.priority, n.eventType, n.publisherId, n.payload]).sort()).to.deep.equal([
      ['info', 'py.messaging', 'py.host', { n: 1 }],
      ['info', 'py.messagingv2', 'py.host', { n: 1 }],
    ]);
    expect(got[0].ctxt).to.deep.equal({ user_id: 'u2' });
    expect(String(got[0].metadata.timestamp)).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  });
});
