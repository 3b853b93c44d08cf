// POST/PUT /servers bodies at 2.90 (schemas/servers.py create_v290/update_v290) and Nova's
// sanitize_hostname, which names a server's host when none is asked for.
import { expect } from 'chai';
import { APIVersion, HTTPFault, validateBody } from '../../../common/api';
import { defaultHostname, sanitizeHostname } from '../../../nova-common/hostname';
import { createServerRequest, serverUpdate } from '../../../nova-api/schemas/server-create-extras';
import { createServerBody, updateServerBody } from '../../../nova-api/schemas/servers';

const v = (s: string) => APIVersion.parse(s);
/** What the controllers do: the DTO at the version, then the compute API's request. */
const parseCreateServer = (b: unknown, ver: APIVersion) => createServerRequest(validateBody(createServerBody(ver), b, null));
const parseUpdateServer = (b: unknown, ver: APIVersion) => serverUpdate(validateBody(updateServerBody(ver), b, null).server);
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(HTTPFault);
    return (e as Error).message;
  }
  throw new Error('no fault');
};
const body = (extra: Record<string, unknown>) => ({ server: { name: 'n', flavorRef: '1', ...extra } });

describe('nova-api server schemas at 2.90', () => {
  it('create takes a hostname from 2.90 only', () => {
    expect(parseCreateServer(body({ hostname: 'web-01' }), v('2.90')).hostname).to.equal('web-01');
    expect(parseCreateServer(body({}), v('2.93')).hostname).to.equal(null);
    expect(message(() => parseCreateServer(body({ hostname: 'web-01' }), v('2.89'))))
      .to.match(/Additional properties are not allowed \('hostname' was unexpected\)$/);
    // Python's '$' matches before a final newline, so jsonschema accepts this one.
    expect(parseCreateServer(body({ hostname: 'ab\n' }), v('2.90')).hostname).to.equal('ab\n');
    expect(message(() => parseCreateServer(body({ hostname: 'a\nb' }), v('2.90'))))
      .to.equal("Invalid input for field/attribute hostname. Value: a\nb. 'a\\nb' does not match '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$'");
    expect(message(() => parseCreateServer(body({ hostname: '☃' }), v('2.90'))))
      .to.equal("Invalid input for field/attribute hostname. Value: ☃. '☃' is too short");
  });

  it('update takes a hostname from 2.90 only', () => {
    expect(parseUpdateServer({ server: { hostname: 'db-2' } }, v('2.90'))).to.deep.include({ hostname: 'db-2' });
    expect(parseUpdateServer({ server: { name: 'x' } }, v('2.90'))).to.not.have.property('hostname');
    expect(message(() => parseUpdateServer({ server: { hostname: 'db-2' } }, v('2.89'))))
      .to.match(/Additional properties are not allowed \('hostname' was unexpected\)$/);
    expect(message(() => parseUpdateServer({ server: { hostname: 'db_2' } }, v('2.90'))))
      .to.equal("Invalid input for field/attribute hostname. Value: db_2. 'db_2' does not match '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$'");
  });

  it('user_data: a string in base64 as binascii reads it (non-strict)', () => {
    for (const ok of ['', 'YQ==', 'YWJj', 'YW Jj', 'YQ==garbage', '====', 'YWJ=', '@@@', 'aGVsbG8gd29ybGQ=\n']) {
      expect(parseCreateServer(body({ user_data: ok }), v('2.1')).userData, ok).to.equal(ok);
    }
    for (const bad of ['YQ=', 'YQ', 'YWJjZA', 'Y', 'Y===', 'YW=J']) {
      expect(message(() => parseCreateServer(body({ user_data: bad }), v('2.1'))), bad)
        .to.equal(`Invalid input for field/attribute user_data. Value: ${bad}. '${bad}' is not a 'base64'`);
    }
    expect(message(() => parseCreateServer(body({ user_data: 5 }), v('2.1'))))
      .to.equal("Invalid input for field/attribute user_data. Value: 5. 5 is not of type 'string'");
  });

  it('sanitize_hostname and the default hostname', () => {
    // Expected values from nova.utils.sanitize_hostname (Nova 26).
    expect(sanitizeHostname('My Server_1.Example.COM')).to.equal('my-server-1-example-com');
    expect(sanitizeHostname('--Ünïcödé ☃ x--')).to.equal('ünïcödé--x');
    expect(sanitizeHostname('x²¼µ×÷ÿ')).to.equal('x²¼µÿ');
    expect(sanitizeHostname('ÀÞß\x00\x7f\xa0\xad')).to.equal('àþß');
    expect(sanitizeHostname('a'.repeat(70))).to.equal('a'.repeat(63));
    // Cut to 63 before the substitutions: what is left after the cut may be shorter.
    expect(sanitizeHostname(`${'b'.repeat(62)}☃..c`)).to.equal('b'.repeat(62));
    expect(sanitizeHostname('☃☃')).to.equal('');
    expect(defaultHostname(null, 'Web', 'u-1', 0, 1)).to.equal('web');
    expect(defaultHostname(null, 'Web', 'u-1', 1, 3)).to.equal('web-2');
    expect(defaultHostname(null, '☃', 'u-1', 1, 3)).to.equal('Server-u-1');
    expect(defaultHostname('asked', 'Web', 'u-1', 0, 1)).to.equal('asked');
  });
});
