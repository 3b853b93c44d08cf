// An imported ssh key is read as Nova reads it: cryptography's load_ssh_public_key must take it,
// then the fingerprint is the MD5 of base64 of the text after the first single space. The
// expected answers were Nova's own (its generate_fingerprint run on the same strings with
// Debian's python3-cryptography 38); the plain key's fingerprint is `ssh-keygen -l -E md5`'s.
import { expect } from 'chai';
import { pyB64Decode, sshFingerprint } from '../../../nova-api/compute/keypair-crypto';

const TYPE = 'ssh-ed25519';
const BODY = 'AAAAC3NzaC1lZDI1NTE5AAAAIARPXxCaqUsGZnqIv+Akrf4alD9qofmFZcKK3xhhQ4Bn';
const FP = '28:09:ee:8e:4f:c1:ba:32:56:23:12:a6:f2:e6:23:06';
const refused = (key: string): string | null => {
  try {
    sshFingerprint(key);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
};

describe('nova key pair fingerprints', () => {
  it('takes a key with or without a comment or a trailing newline', () => {
    expect(sshFingerprint(`${TYPE} ${BODY} me@host`)).to.equal(FP);
    expect(sshFingerprint(`${TYPE} ${BODY}`)).to.equal(FP);
    expect(sshFingerprint(`${TYPE} ${BODY} me@host\n`)).to.equal(FP);
  });

  it('refuses what cryptography does not load: a leading blank, a cut body, a body split by a newline', () => {
    for (const key of [` ${TYPE} ${BODY} me@host`, `\t${TYPE} ${BODY} me@host`, `${TYPE} ${BODY.slice(0, -4)} me@host`,
      `${TYPE} ${BODY.slice(0, 20)}\n${BODY.slice(20)} me@host`, `${TYPE}`, '', `ssh-rsa ${BODY}`]) {
      expect(refused(key), JSON.stringify(key)).to.match(/failed to generate fingerprint/);
    }
  });

  it('refuses a tab between type and body when the text after the first space is not base64, as Nova', () => {
    // cryptography loads these; Nova's split(' ')[1] then finds no field, or "me@host".
    expect(refused(`${TYPE}\t${BODY}`)).to.match(/failed to generate fingerprint/);
    expect(refused(`${TYPE}\t${BODY} me@host`)).to.match(/failed to generate fingerprint/);
  });

  it('fingerprints two spaces after the type as the MD5 of nothing, as Nova does', () => {
    expect(sshFingerprint(`${TYPE}  ${BODY} me@host`)).to.equal('d4:1d:8c:d9:8f:00:b2:04:e9:80:09:98:ec:f8:42:7e');
  });

  it('decodes base64 as Python does by default', () => {
    const text = (s: string): string | null => pyB64Decode(s)?.toString('latin1') ?? null;
    expect(text('QUJD')).to.equal('ABC');
    expect(text('QU JD')).to.equal('ABC');
    expect(text('QUJ\nD')).to.equal('ABC');
    expect(text('QUI=')).to.equal('AB');
    expect(text('QQ==QUJD')).to.equal('A');
    expect(text('QUJ=D')).to.equal('AB');
    expect(text('QUJD=')).to.equal('ABC');
    expect(text('QUI')).to.equal(null);
    expect(text('QQ=')).to.equal(null);
    expect(text('Q')).to.equal(null);
  });
});
