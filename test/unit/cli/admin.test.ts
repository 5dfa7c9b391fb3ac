// sievert user … and sievert script … on a store, as an administrator runs them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { verifyPassword } from '../../../src/auth/index.js';
import { openStore } from '../../../src/store/index.js';
import { sievert, sievertBytes } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-admin-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const config = join(dir, 'sievert.toml');
writeFileSync(config, 'data_dir = "data"\n');

test('user add stores a hash of the password read from standard input, never the password', async () => {
  const r = sievert(
    ['user', 'add', 'alice@example.com', '-c', config, '--scheme', 'SHA512-CRYPT', '--max-scripts', '2'],
    's3cret\n',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sievert(['user', 'add', 'alice@example.com', '-c', config], 'x\n').code, 1);
  const store = await openStore(`sqlite:${join(dir, 'data', 'sievert.db')}`);
  try {
    const u = await store.getUser('alice@example.com');
    assert.ok(u);
    assert.match(u.password, /^\{SHA512-CRYPT\}\$6\$/);
    assert.equal(await verifyPassword('s3cret', u.password), true);
    assert.deepEqual(u.quota, { maxScripts: 2 });
  } finally {
    await store.close();
  }
  assert.equal(sievert(['user', 'list', '-c', config]).stdout, 'alice@example.com\n');
});

test('script put refuses a script that does not compile, and get returns the exact octets', () => {
  const bad = join(dir, 'bad.sieve');
  writeFileSync(bad, 'fileinto "x";\n');
  const r = sievert(['script', 'put', 'alice@example.com', 'main', bad, '-c', config]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.sieve:1:1: error: .*fileinto/);

  const good = join(dir, 'good.sieve');
  const bytes = Buffer.from('require "fileinto";\r\n# Grüße\r\nfileinto "INBOX.x";\r\n');
  writeFileSync(good, bytes);
  assert.equal(
    sievert(['script', 'put', 'alice@example.com', 'main', good, '--activate', '-c', config]).code,
    0,
  );
  assert.equal(sievert(['script', 'list', 'alice@example.com', '-c', config]).stdout, 'main\tactive\n');
  const got = sievertBytes(['script', 'get', 'alice@example.com', 'main', '-c', config]);
  assert.equal(got.code, 0);
  assert.deepEqual(got.stdout, bytes);
});

test('script put holds administrators to the ManageSieve name rules and refuses an empty script', () => {
  const good = join(dir, 'keep.sieve');
  writeFileSync(good, 'keep;\n');
  const empty = join(dir, 'empty.sieve');
  writeFileSync(empty, '');
  for (const [name, why] of [
    ['', /name is empty/],
    ['a\nb', /control character U\+000A/],
    ['x'.repeat(129), /129 characters long; at most 128/],
  ] as const) {
    const r = sievert(['script', 'put', 'alice@example.com', name, good, '-c', config]);
    assert.equal(r.code, 1, name);
    assert.match(r.stderr, why);
  }
  const r = sievert(['script', 'put', 'alice@example.com', 'e', empty, '-c', config]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /empty/);
  assert.equal(sievert(['script', 'put', 'alice@example.com', 'x'.repeat(128), good, '-c', config]).code, 0);
  assert.equal(sievert(['script', 'delete', 'alice@example.com', 'x'.repeat(128), '-c', config]).code, 0);
  assert.doesNotMatch(sievert(['script', 'list', 'alice@example.com', '-c', config]).stdout, /^e$/m);
});

test('script put refuses a file that is not UTF-8, with the place, and one it cannot read', () => {
  const latin1 = join(dir, 'latin1.sieve');
  writeFileSync(latin1, Buffer.from('# Gr\xfc\xdfe\nkeep;\n', 'latin1'));
  const bad = sievert(['script', 'put', 'alice@example.com', 'l1', latin1, '-c', config]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /latin1\.sieve:1:5: error: .*UTF-8/);
  const missing = sievert([
    'script',
    'put',
    'alice@example.com',
    'm',
    join(dir, 'missing.sieve'),
    '-c',
    config,
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*missing\.sieve/);
  assert.doesNotMatch(sievert(['script', 'list', 'alice@example.com', '-c', config]).stdout, /^(l1|m)\b/m);
});

test('script delete of the active script is refused until it is deactivated; user del removes the scripts', () => {
  const del = sievert(['script', 'delete', 'alice@example.com', 'main', '-c', config]);
  assert.equal(del.code, 1);
  assert.match(del.stderr, /ACTIVE/);
  assert.equal(sievert(['script', 'activate', 'alice@example.com', '-c', config]).code, 0);
  assert.equal(sievert(['script', 'list', 'alice@example.com', '-c', config]).stdout, 'main\n');
  assert.equal(sievert(['script', 'get', 'alice@example.com', 'nope', '-c', config]).code, 1);
  assert.equal(sievert(['user', 'del', 'alice@example.com', '-c', config]).code, 0);
  assert.equal(sievert(['script', 'list', 'alice@example.com', '-c', config]).stdout, '');
});

test('with a passwd-file, user add is refused and points at the file; user hash prints a line for it', () => {
  const withFile = join(dir, 'passwd.toml');
  writeFileSync(withFile, `data_dir = "data"\n[auth]\npasswd_file = "users"\n`);
  const r = sievert(['user', 'add', 'bob', '-c', withFile], 'x\n');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /auth\.passwd_file/);
  const h = sievert(['user', 'hash', '--scheme', 'BLF-CRYPT'], 'pw\n');
  assert.equal(h.code, 0);
  assert.match(h.stdout, /^\{BLF-CRYPT\}\$2[aby]\$/);
});

test('a bad configuration exits 78 naming the key', () => {
  const bad = join(dir, 'bad.toml');
  writeFileSync(bad, '[managesieve]\ntls = "maybe"\n');
  const r = sievert(['script', 'list', 'x', '-c', bad]);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /managesieve\.tls/);
});

test('user add with a bad quota option is a usage error naming the option, and adds no user', () => {
  const r = sievert(['user', 'add', 'dave', '-c', config, '--max-storage', 'lots'], 'pw\n');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--max-storage/);
  assert.doesNotMatch(sievert(['user', 'list', '-c', config]).stdout, /dave/);
});

test('an unknown --scheme is a usage error listing the schemes; no user is added', () => {
  for (const args of [
    ['user', 'hash', '--scheme', 'bogus'],
    ['user', 'add', 'erin', '-c', config, '--scheme', 'bogus'],
  ]) {
    const r = sievert(args, 'pw\n');
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^error: --scheme: expected one of .*ARGON2ID.*, got "bogus"\n$/);
  }
  assert.doesNotMatch(sievert(['user', 'list', '-c', config]).stdout, /erin/);
});

test('a password the scheme cannot hold is an error, not a crash', () => {
  const r = sievert(['user', 'hash', '--scheme', 'PLAIN'], 'a\0b\n');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: .*NUL/);
});
