import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeLogText, getLogger, getLogLevels, logLevelName, maskDict, maskPassword, setLogLevels, setupLogging } from '../../../common/log';
import { RequestContext } from '../../../common/context';
import { runInScope } from '../../../common/trace';
import { waitFor } from '../../support/processes';

/** The file's complete lines once it has at least `n` (the file transport writes asynchronously). */
function linesOf(file: string, n: number): string[] | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n').slice(0, -1);
  return lines.length >= n ? lines : null;
}

describe('common/log', () => {
  afterEach(() => setupLogging({ silent: process.env.TEST_LOG !== '1' }));

  it('masks passwords, tokens, CHAP secrets and URL credentials', () => {
    expect(maskPassword('"auth_password": "s3cret"')).to.equal('"auth_password": "***"');
    expect(maskPassword("{'password': 'pw'}")).to.equal("{'password': '***'}");
    expect(maskPassword('X-Auth-Token: abcdef')).to.not.contain('abcdef');
    expect(maskPassword('provider_auth=CHAP alice w0nderland')).to.not.contain('w0nderland');
    expect(maskPassword('connecting to rabbit://guest:pa55@127.0.0.1:5672/')).to.equal('connecting to rabbit://guest:***@127.0.0.1:5672/');
    // Lines that name no secret are answered as they are, without the four patterns.
    const plain = 'GET /v3/p/volumes/9f2c status: 200 len: 812 time: 0.0012';
    expect(maskPassword(plain)).to.equal(plain);
  });

  it('masks every sensitive key, whatever its case and separator (the quick pre-check lets none through)', () => {
    const keys = ['auth_password', 'password', 'admin_password', 'auth_token', 'x-auth-token', 'x-subject-token', 'token', 'secret',
      'provider_auth', 'chap_password', 'discovery_auth_password', 'auth_username', 'discovery_auth_username', 'connection', 'transport_url'];
    for (const k of keys) {
      for (const key of [k, k.toUpperCase(), k.replace(/[-_]/g, (c) => (c === '-' ? '_' : '-'))]) {
        expect(maskPassword(`${key}=hunter2x`), key).to.equal(`${key}=***`);
        expect(maskPassword(`{"${key}": "hunter2x"}`), key).to.not.contain('hunter2x');
      }
    }
    expect(maskPassword('target CHAP alice w0nderland')).to.not.contain('w0nderland');
    expect(maskPassword('MYSQL+PYMYSQL://nova:s3cr3t@db/nova')).to.not.contain('s3cr3t');
    const d = maskDict({ data: { auth_password: 'x1', target_iqn: 'iqn.2010-10.org.openstack:v' } }) as { data: Record<string, string> };
    expect(d.data.auth_password).to.equal('***');
    expect(d.data.target_iqn).to.equal('iqn.2010-10.org.openstack:v');
  });

  it('escapes what would break a log line: newlines, terminal escapes, NUL, C1 controls, lone surrogates', () => {
    expect(escapeLogText('bad name\nFAKE 2026 INFO forged')).to.equal('bad name\\nFAKE 2026 INFO forged');
    expect(escapeLogText('\u001b[31mred\u0000\u0085')).to.equal('\\x1b[31mred\\x00\\x85');
    expect(escapeLogText('x\ud800y')).to.equal('x\\ud800y');
    expect(escapeLogText('vol1 😀 é ü')).to.equal('vol1 😀 é ü');
  });

  it('writes oslo.log lines with the request context, and masks them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attachd-log-'));
    const file = join(dir, 'n.log');
    setupLogging({ file, debug: true });
    const ctx = new RequestContext({ userId: 'u1', projectId: 'p1' });
    getLogger('nova.compute.manager').info('attach with auth_password=topsecret', { context: ctx });
    const line = (await waitFor(() => linesOf(file, 1)?.[0], 5_000, 'the log line', 10)) as string;
    expect(line).to.match(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ${process.pid} INFO nova\\.compute\\.manager \\[${ctx.requestId} ${ctx.requestId} u1 p1 - - -\\] attach with auth_password=\\*\\*\\*$`));
    expect(ctx.requestId).to.match(/^req-[0-9a-f-]{36}$/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the global request id first, and takes the ids of the current request when given no context', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attachd-log-'));
    const file = join(dir, 'n.log');
    setupLogging({ file });
    const ids = { requestId: 'req-local', globalRequestId: 'req-global', userId: 'u1', projectId: 'p1' };
    await runInScope({ ids }, async () => {
      await Promise.resolve();
      getLogger('cinder-volume.manager').info('inside');
    });
    getLogger('cinder-volume.manager').info('outside');
    const [inside, outside] = (await waitFor(() => linesOf(file, 2), 5_000, 'two log lines', 10)) as string[];
    expect(inside).to.match(/ INFO cinder-volume\.manager \[req-global req-local u1 p1 - - -\] inside$/);
    expect(outside).to.match(/ INFO cinder-volume\.manager \[-\] outside$/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('changes the levels of the loggers under a prefix at run time (os-services set-log), and reads them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attachd-log-'));
    const file = join(dir, 'l.log');
    setupLogging({ file });
    const [a, ab, c] = ['lvl-test.a', 'lvl-test.a.b', 'lvl-test.c'].map((n) => getLogger(n));
    expect(getLogLevels('lvl-test.')).to.deep.equal({ 'lvl-test.a': 'INFO', 'lvl-test.a.b': 'INFO', 'lvl-test.c': 'INFO' });
    a.debug('hidden at INFO');
    setLogLevels('lvl-test.a', 'debug');
    expect(getLogLevels('lvl-test.')).to.deep.equal({ 'lvl-test.a': 'DEBUG', 'lvl-test.a.b': 'DEBUG', 'lvl-test.c': 'INFO' });
    a.debug('a at DEBUG');
    ab.debug('a.b at DEBUG');
    c.debug('c still at INFO');
    setLogLevels('lvl-test.', 'ERROR');
    c.warning('c at ERROR');
    c.error('c error');
    const lines = (await waitFor(() => linesOf(file, 3), 5_000, 'the log lines', 10)) as string[];
    expect(lines.map((l) => l.replace(/^.* (DEBUG|INFO|WARNING|ERROR) (\S+) \[-\] /, '$1 $2 '))).to.deep.equal([
      'DEBUG lvl-test.a a at DEBUG', 'DEBUG lvl-test.a.b a.b at DEBUG', 'ERROR lvl-test.c c error']);
    expect(getLogLevels('lvl-test.a.')).to.deep.equal({ 'lvl-test.a.b': 'ERROR' });
    expect([logLevelName('warning'), logLevelName('Critical'), logLevelName(null)]).to.deep.equal(['WARNING', undefined, undefined]);
    expect(() => setLogLevels('lvl-test.', 'TRACE')).to.throw('TRACE is not a valid log level.');
    expect(getLogLevels('lvl-test.c')).to.deep.equal({ 'lvl-test.c': 'ERROR' });
    setLogLevels('lvl-test.', 'INFO');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('common/context', () => {
  it('round-trips through the flat oslo wire dict', () => {
    const ctx = new RequestContext({ userId: 'u', projectId: 'p', roles: ['admin'], isAdmin: true, authToken: 't' });
    const d = ctx.toDict();
    expect(d.request_id).to.equal(ctx.requestId);
    expect(d.user_id).to.equal('u');
    expect(d.project_id).to.equal('p');
    expect(d.is_admin).to.equal(true);
    // The request's own id travels as the global id when it has none (oslo.context's global_id).
    expect(d.global_request_id).to.equal(ctx.requestId);
    expect(RequestContext.fromDict({ ...d, global_request_id: 'req-g' }).globalId).to.equal('req-g');
    const back = RequestContext.fromDict(d);
    expect(back.requestId).to.equal(ctx.requestId);
    expect(back.roles).to.deep.equal(['admin']);
    expect(back.authToken).to.equal('t');
  });
});
