import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parsePasswdFile, PasswdFile, PasswdFileError } from '../../../src/auth/index.js';
import { LOGIN_DISABLED_TEXT } from '../../../src/auth/passwd-file.js';
import { parseSize } from '../../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-passwd-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string): string {
  const p = join(dir, `users${n++}`);
  writeFileSync(p, text);
  return p;
}

test("Dovecot's passwd-file examples parse: full lines, short lines, comments, blank lines", () => {
  const users = parsePasswdFile(
    [
      '# users for the test',
      '',
      'user:{PLAIN}password:1000:1000::/home/user::userdb_mail=maildir:~/Maildir allow_nets=127.0.0.1/32',
      'user2:{SHA512-CRYPT}$6$abc$def',
      'user3:{PLAIN}pass::::::',
      'user4:{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g:1001:1001:Gecos, Text:/home/u4:/bin/false:nologin',
      '   ',
      'user5',
      'user6:::::::userdb_quota_rule=*:storage=1G',
    ].join('\r\n'),
    'users',
  );
  assert.deepEqual([...users.keys()], ['user', 'user2', 'user3', 'user4', 'user5', 'user6']);
  const u = users.get('user')!;
  assert.equal(u.password, '{PLAIN}password');
  assert.equal(u.fields.get('userdb_mail'), 'maildir:~/Maildir');
  assert.equal(u.fields.get('allow_nets'), '127.0.0.1/32');
  assert.equal(users.get('user2')!.password, '{SHA512-CRYPT}$6$abc$def');
  assert.equal(users.get('user4')!.fields.get('nologin'), '');
  assert.equal(users.get('user5')!.password, '');
  // Extra fields may contain ':'; Dovecot joins the trailing fields back.
  assert.equal(users.get('user6')!.fields.get('userdb_quota_rule'), '*:storage=1G');
});

test('quota extra fields, with and without the userdb_ prefix, and size suffixes', () => {
  const users = parsePasswdFile(
    [
      'a:x::::::userdb_sieve_quota_max_scripts=3 userdb_sieve_quota_max_storage=20K userdb_sieve_max_script_size=1M',
      'b:x::::::sieve_quota_max_storage=2G sieve_max_script_size=512',
      'c:x::::::userdb_sieve_quota_max_storage=1t userdb_sieve_quota_max_scripts=0',
    ].join('\n'),
    'users',
  );
  assert.deepEqual(users.get('a')!.quota, {
    maxScripts: 3,
    maxStorage: 20 * 1024,
    maxScriptSize: 1024 * 1024,
  });
  assert.deepEqual(users.get('b')!.quota, { maxStorage: 2 * 1024 ** 3, maxScriptSize: 512 });
  assert.deepEqual(users.get('c')!.quota, { maxStorage: 1024 ** 4, maxScripts: 0 });
});

test('parseSize: bytes, K/M/G/T (powers of 1024, any case, optional B), and garbage', () => {
  assert.equal(parseSize('0'), 0);
  assert.equal(parseSize('20K'), 20480);
  assert.equal(parseSize('20 kB'), 20480);
  assert.equal(parseSize('3m'), 3 * 1024 * 1024);
  assert.equal(parseSize('1G'), 1024 ** 3);
  assert.equal(parseSize('20X'), undefined);
  assert.equal(parseSize('-1'), undefined);
  assert.equal(parseSize(''), undefined);
  assert.equal(parseSize('1.5M'), undefined);
});

test('a bad line is an error naming the file and the line', () => {
  const cases: [string, number, RegExp][] = [
    ['ok:x\n\n:nopass', 3, /empty user name/],
    ['ok:x\nok:y', 2, /user ok is listed more than once/],
    ['# c\nbad user:x', 2, /space or control character/],
    ['a:x::::::userdb_sieve_quota_max_storage=20X', 1, /userdb_sieve_quota_max_storage=20X is not a size/],
    ['a:x\nb:x::::::sieve_quota_max_scripts=three', 2, /sieve_quota_max_scripts=three is not a number/],
  ];
  for (const [text, line, re] of cases) {
    assert.throws(
      () => parsePasswdFile(text, '/etc/sievert/users'),
      (e: unknown) =>
        e instanceof PasswdFileError &&
        e.line === line &&
        e.file === '/etc/sievert/users' &&
        e.message.startsWith(`/etc/sievert/users:${line}: `) &&
        re.test(e.message),
      text,
    );
  }
});

test("user names match exactly (Dovecot's default username_format %u)", async () => {
  const src = await PasswdFile.open(file('Alice:{PLAIN}a\n'));
  assert.equal((await src.lookup('Alice'))?.password, '{PLAIN}a');
  assert.equal(await src.lookup('alice'), undefined);
  assert.equal(await src.lookup('Alice '), undefined);
});

test('open rejects a missing file and a file with a bad line', async () => {
  await assert.rejects(PasswdFile.open(join(dir, 'none')), /cannot read the passwd-file/);
  await assert.rejects(
    PasswdFile.open(join(dir, 'none'), { master: true }),
    /cannot read the master passwd-file/,
  );
  await assert.rejects(
    PasswdFile.open(file('a:x\na:y\n')),
    (e: unknown) => e instanceof PasswdFileError && e.line === 2,
  );
});

test('a changed file is read again, checked at most once per interval', async () => {
  let now = 1_000_000;
  const p = file('a:{PLAIN}one\n');
  const src = await PasswdFile.open(p, { now: () => now });
  assert.equal((await src.lookup('a'))?.password, '{PLAIN}one');
  writeFileSync(p, 'a:{PLAIN}two\nb:{PLAIN}x\n');
  now += 999;
  assert.equal((await src.lookup('a'))?.password, '{PLAIN}one', 'not checked again within the interval');
  now += 1;
  assert.equal((await src.lookup('a'))?.password, '{PLAIN}two');
  assert.equal(src.size, 2);
});

test('a same-size rewrite is seen through its mtime', async () => {
  let now = 0;
  const p = file('a:{PLAIN}one\n');
  utimesSync(p, 1000, 1000);
  const src = await PasswdFile.open(p, { now: () => now, checkIntervalMs: 0 });
  writeFileSync(p, 'a:{PLAIN}two\n');
  utimesSync(p, 2000, 2000);
  now += 1;
  assert.equal((await src.lookup('a'))?.password, '{PLAIN}two');
});

test('a reload that fails keeps the old contents and reports the file and line', async () => {
  const errors: PasswdFileError[] = [];
  let now = 0;
  const p = file('a:{PLAIN}one\n');
  const src = await PasswdFile.open(p, { now: () => now, onReloadError: (e) => errors.push(e) });
  writeFileSync(p, 'a:{PLAIN}two\nb:x::::::sieve_quota_max_storage=lots\n');
  now += 1000;
  assert.equal((await src.lookup('a'))?.password, '{PLAIN}one');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.line, 2);
  rmSync(p);
  now += 1000;
  assert.equal((await src.lookup('a'))?.password, '{PLAIN}one');
  assert.equal(errors.length, 2);
  assert.match(errors[1]!.message, /ENOENT|no such file/i);
});

test("Dovecot's old format: an empty eighth field, then the mail location", () => {
  const users = parsePasswdFile('u:x:1000:1000::/home/u:::maildir:~/Maildir\n', 'users');
  assert.equal(users.get('u')!.fields.get('userdb_mail'), 'maildir:~/Maildir');
});

test('nologin, reason= and allow_nets= become login restrictions (Dovecot passdb extra fields)', () => {
  const users = parsePasswdFile(
    [
      'open:{PLAIN}pw',
      'off:{PLAIN}pw::::::nologin',
      'moved:{PLAIN}pw::::::nologin reason=Moved_to_imap2.example.org',
      'nets:{PLAIN}pw::::::allow_nets=10.0.0.0/8,192.0.2.7,2001:db8::/32,local',
      'onlylocal:{PLAIN}pw::::::allow_nets=local',
      'reasononly:{PLAIN}pw::::::reason=ignored_without_nologin',
    ].join('\n'),
    'users',
  );
  assert.equal(users.get('open')!.login, undefined);
  assert.deepEqual(users.get('off')!.login, { disabled: LOGIN_DISABLED_TEXT });
  assert.equal(LOGIN_DISABLED_TEXT, 'Login disabled for this user');
  assert.deepEqual(users.get('moved')!.login, { disabled: 'Moved_to_imap2.example.org' });
  assert.deepEqual(
    users.get('nets')!.login!.allowNets!.map((c) => c.text),
    ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32'],
  );
  // `local` is a UNIX-socket client in Dovecot: no TCP client matches it.
  assert.deepEqual(users.get('onlylocal')!.login, { allowNets: [] });
  assert.equal(users.get('reasononly')!.login, undefined);
});

test('an allow_nets entry that is not an address or a network names the file, line and item', () => {
  assert.throws(
    () => parsePasswdFile('a:{PLAIN}x\nb:{PLAIN}y::::::allow_nets=10.0.0.0/8,10.0.0.300', 'users'),
    (e: unknown) => {
      assert.ok(e instanceof PasswdFileError);
      assert.equal(e.line, 2);
      assert.match(
        e.message,
        /^users:2: allow_nets=10\.0\.0\.0\/8,10\.0\.0\.300: "10\.0\.0\.300" is not an address/,
      );
      return true;
    },
  );
  assert.throws(
    () => parsePasswdFile('a:{PLAIN}x::::::allow_nets=10.0.0.0/33', 'users'),
    /"10\.0\.0\.0\/33"/,
  );
});
