import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  DEFAULT_ARGON2,
  hashPassword,
  md5CryptString,
  parseStoredPassword,
  PasswordHashError,
  PASSWORD_SCHEMES,
  shaCryptString,
  verifyPassword,
} from '../../../src/auth/index.js';

interface Vector {
  password: string;
  stored: string;
}
const vectors = (
  JSON.parse(readFileSync(new URL('./dovecot-vectors.json', import.meta.url), 'utf8')) as {
    vectors: Vector[];
  }
).vectors;

/** A password that differs from `p` within bcrypt's first 72 bytes. */
function wrong(p: string): string {
  return 'Z' + p.slice(1);
}

test('every hash doveadm pw generated verifies, and a wrong password does not', async () => {
  const schemes = new Set(vectors.map((v) => parseStoredPassword(v.stored).scheme));
  for (const s of PASSWORD_SCHEMES.filter((s) => s !== 'SHA1'))
    assert.ok(schemes.has(s), `no vector for ${s}`);
  for (const v of vectors) {
    assert.equal(await verifyPassword(v.password, v.stored), true, v.stored);
    assert.equal(await verifyPassword(wrong(v.password), v.stored), false, v.stored);
  }
});

test("SHA-crypt matches the examples of Drepper's specification", () => {
  const pw = Buffer.from('Hello world!');
  assert.equal(
    shaCryptString(512, pw, 'saltstring', 5000, false),
    '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
  );
  assert.equal(
    shaCryptString(512, pw, 'saltstringsaltstring', 10000, true),
    '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
  );
  assert.equal(
    shaCryptString(256, pw, 'saltstring', 5000, false),
    '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5',
  );
  assert.equal(
    shaCryptString(256, Buffer.from('This is just a test'), 'toolongsaltstring', 5000, true),
    '$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5',
  );
  // Rounds below the minimum are raised to 1000, as the specification says.
  assert.equal(
    shaCryptString(512, Buffer.from('the minimum number is still observed'), 'roundstoolow', 10, true),
    '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.',
  );
});

test('MD5-crypt matches openssl passwd -1', () => {
  assert.equal(md5CryptString(Buffer.from('Hello world!'), 'saltstri'), '$1$saltstri$YMyguxXMBpd2TEZ.vS/3q1');
});

test('hashPassword round-trips in every scheme, and defaults to ARGON2ID with the documented cost', async () => {
  for (const scheme of PASSWORD_SCHEMES) {
    const stored = await hashPassword('pässwörd €', scheme);
    assert.ok(stored.startsWith(`{${scheme}}`), stored);
    assert.equal(await verifyPassword('pässwörd €', stored), true, stored);
    assert.equal(await verifyPassword('pässwörd', stored), false, stored);
  }
  const def = await hashPassword('secret');
  assert.match(
    def,
    new RegExp(
      `^\\{ARGON2ID\\}\\$argon2id\\$v=19\\$m=${DEFAULT_ARGON2.memorySize},t=${DEFAULT_ARGON2.iterations},p=1\\$`,
    ),
  );
  assert.match(await hashPassword('secret', 'BLF-CRYPT'), /^\{BLF-CRYPT\}\$2y\$10\$/);
});

function doveadm(): string | undefined {
  for (const p of ['/usr/bin/doveadm', '/usr/local/bin/doveadm']) {
    try {
      execFileSync(p, ['pw', '-l'], { stdio: 'ignore' });
      return p;
    } catch {
      continue;
    }
  }
  return undefined;
}
const doveadmPath = doveadm();

test(
  'Dovecot verifies the hashes hashPassword writes',
  { skip: doveadmPath === undefined ? 'doveadm (dovecot-core) is not installed' : false },
  async () => {
    for (const scheme of PASSWORD_SCHEMES) {
      const stored = await hashPassword('pässwörd €', scheme);
      const out = execFileSync(doveadmPath!, ['pw', '-t', stored, '-p', 'pässwörd €'], { encoding: 'utf8' });
      assert.match(out, /\(verified\)/, stored);
    }
  },
);

test('a bare value is PLAIN, a bare crypt(3) hash is CRYPT, an empty value matches nothing', async () => {
  assert.equal(await verifyPassword('secret', 'secret'), true);
  assert.equal(await verifyPassword('secret', 'Secret'), false);
  const sha =
    '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1';
  assert.equal(await verifyPassword('Hello world!', sha), true);
  assert.equal(await verifyPassword(sha, sha), false);
  assert.equal(await verifyPassword('', ''), false);
  assert.equal(await verifyPassword('', '{PLAIN}'), true);
});

test("scheme names are case-insensitive, like Dovecot's", async () => {
  assert.equal(await verifyPassword('secret', '{plain}secret'), true);
  assert.equal(
    await verifyPassword(
      'secret',
      '{sha256.hex}2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b',
    ),
    true,
  );
});

test('an unknown scheme is an error naming it, not a wrong password', async () => {
  await assert.rejects(
    verifyPassword('secret', '{PLAIN-TRUNC}3-sec'),
    /unknown password scheme \{PLAIN-TRUNC\}/,
  );
  await assert.rejects(
    verifyPassword('secret', '{NOPE}x'),
    (e: unknown) => e instanceof PasswordHashError && e.scheme === 'NOPE',
  );
  await assert.rejects(
    verifyPassword('secret', '{SHA256.ROT13}x'),
    /unknown password encoding \{SHA256\.ROT13\}/,
  );
});

test('a malformed stored hash is an error', async () => {
  const bad = [
    '{SHA512-CRYPT}$6$salt$tooshort',
    '{SHA512-CRYPT}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5',
    '{SHA256-CRYPT}nothing',
    '{MD5-CRYPT}$1$salt$short',
    '{BLF-CRYPT}$2y$05$short',
    '{BLF-CRYPT}$2y$99$H6gvz7J7TWYwrcV1.36QUeg0dMF676sPjEyps92akvTXvdynSl9pO',
    '{ARGON2ID}$argon2id$v=16$m=65536,t=3,p=1$W4dgdhB119Z8qmX1fNdJgA$NuBDw0deo+T5dnT0Yr3jROfku/yoOYePKm3w4qoPPBA',
    '{ARGON2ID}$argon2d$v=19$m=65536,t=3,p=1$W4dgdhB119Z8qmX1fNdJgA$NuBDw0deo+T5dnT0Yr3jROfku/yoOYePKm3w4qoPPBA',
    '{PBKDF2}$1$salt$5000$abc',
    '{PBKDF2}$2$salt$5000$654cf90cf0ce33121ca1f0668cd9d3f75dc58e09',
    '{SHA}not base64!',
    '{SHA256}c2VjcmV0',
    '{SSHA}c2Vj',
    '{SCRAM-SHA-256}4096,c2FsdA==,c2VjcmV0',
    '{SCRAM-SHA-256}1000,GtyZuijA8b9Eh/FcQInVBQ==,EamDe8ATsfQtjCfatftHPKETk1rdzJ98sebSS/ECp2U=,gsPPiNzSqPAAsMI10kVnjQ07iM9yqUqNgJ2fRDdaoro=',
    '{SCRAM-SHA-1}4096,GtyZuijA8b9Eh/FcQInVBQ==,EamDe8ATsfQtjCfatftHPKETk1rdzJ98sebSS/ECp2U=,gsPPiNzSqPAAsMI10kVnjQ07iM9yqUqNgJ2fRDdaoro=',
    '{CRYPT}abJnggxhB/yWI',
    '{CRYPT}$y$j9T$salt$hash',
    '{PLAIN.HEX}zz',
  ];
  for (const stored of bad) await assert.rejects(verifyPassword('secret', stored), PasswordHashError, stored);
});

test('bcrypt reads only the first 72 bytes of a password, like crypt_blowfish', async () => {
  const v = vectors.find((x) => x.password.length > 72)!;
  assert.equal(await verifyPassword(v.password.slice(0, 72) + 'anything', v.stored), true);
  assert.equal(await verifyPassword(v.password.slice(0, 71), v.stored), false);
});
