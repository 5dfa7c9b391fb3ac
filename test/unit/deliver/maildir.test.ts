import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  rmdirSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  crlfToLf,
  isTemporaryFsError,
  Maildir,
  MailboxNameError,
  type MaildirOptions,
} from '../../../src/deliver/maildir.js';

const scratch = mkdtempSync(join(tmpdir(), 'sievert-maildir-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

function maildir(options: MaildirOptions = {}): { md: Maildir; root: string } {
  const root = join(scratch, `u${++n}`, 'Maildir');
  return { md: new Maildir(root, { hostname: 'mx.example', ...options }), root };
}

const ls = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);
const message = Buffer.from('Subject: hi\r\n\r\nline 1\r\nline 2\r\n');
const NAME = /^(\d+)\.M(\d+)P(\d+)Q(\d+)\.mx\.example,S=(\d+),W=(\d+)$/;

test('INBOX in any case is the root; folders are Maildir++ ".A.B" in modified UTF-7', async () => {
  const { md, root } = maildir();
  assert.equal(md.exists('INBOX'), true, 'INBOX always exists');
  await md.create('inbox');
  for (const sub of ['cur', 'new', 'tmp']) assert.ok(statSync(join(root, sub)).isDirectory());
  assert.equal(existsSync(join(root, 'maildirfolder')), false, 'the root is not a subfolder');
  assert.equal(existsSync(join(root, 'subscriptions')), false, 'INBOX is not added to subscriptions');

  assert.equal(md.exists('Work.Reports'), false);
  await md.create('Work.Reports');
  await md.create('Entwürfe');
  await md.create('A&B');
  await md.create('inbox.Archive');
  assert.equal(md.exists('Work.Reports'), true);
  assert.equal(md.exists('INBOX.Archive'), true, 'the INBOX level matches in any case');
  assert.deepEqual(
    ls(root).filter((f) => f.startsWith('.')),
    ['.A&-B', '.Entw&APw-rfe', '.INBOX.Archive', '.Work.Reports'],
  );
  // Dovecot's Maildir++ does not create a parent: IMAP LISTs "Work" as \Noselect.
  assert.equal(md.exists('Work'), false);
  for (const sub of ['cur', 'new', 'tmp', 'maildirfolder'])
    assert.ok(existsSync(join(root, '.Work.Reports', sub)), sub);
  assert.equal(
    readFileSync(join(root, 'subscriptions'), 'utf8'),
    'V\t2\n\nWork\tReports\nEntw&APw-rfe\nA&-B\nINBOX\tArchive\n',
  );
});

test('separator "/" and the UTF-8 option map names the same way on disk', async () => {
  const { md, root } = maildir({ separator: '/', encoding: 'utf8' });
  await md.create('Work/Reports');
  await md.create('Entwürfe/2024');
  assert.deepEqual(
    ls(root).filter((f) => f.startsWith('.')),
    ['.Entwürfe.2024', '.Work.Reports'],
  );
  assert.equal(md.exists('Work/Reports'), true);
  assert.equal(readFileSync(join(root, 'subscriptions'), 'utf8'), 'V\t2\n\nWork\tReports\nEntwürfe\t2024\n');
  assert.throws(() => md.exists('Work.Reports'), MailboxNameError, 'a "." inside a level cannot be stored');
});

test('create is idempotent and keeps an existing subscriptions file', async () => {
  const { md, root } = maildir();
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'subscriptions'), 'V\t2\n\nTrash\n');
  await md.create('Work');
  await md.create('Work');
  assert.equal(readFileSync(join(root, 'subscriptions'), 'utf8'), 'V\t2\n\nTrash\nWork\n');
  assert.deepEqual(
    ls(root).filter((f) => f.endsWith('.lock')),
    [],
  );

  const { md: old, root: oldRoot } = maildir();
  mkdirSync(oldRoot, { recursive: true });
  writeFileSync(join(oldRoot, 'subscriptions'), 'Trash'); // version 1: one name a line, "." separator
  await old.create('A.B');
  assert.equal(readFileSync(join(oldRoot, 'subscriptions'), 'utf8'), 'Trash\nA.B\n');
});

test('refuses names that are invalid or would leave the Maildir', async () => {
  const { md, root } = maildir();
  const bad = [
    '',
    '.',
    '..',
    '../x',
    'x/../../etc',
    '/etc',
    'a/b',
    'a..b',
    '.lead',
    'trail.',
    '~x',
    'a\u0000b',
    'a\nb',
    'a\u007fb',
    'a\u0085b',
    'a\ud800b',
    'x'.repeat(255),
  ];
  for (const name of bad) {
    assert.throws(() => md.exists(name), MailboxNameError, JSON.stringify(name));
    await assert.rejects(md.create(name), MailboxNameError, JSON.stringify(name));
  }
  const slash = new Maildir(join(scratch, 'slash'), { separator: '/' });
  for (const name of ['..', '.', '../x', 'a/../b', 'a/.b', '/etc', 'a//b', 'a/', 'a.b']) {
    assert.throws(() => slash.exists(name), MailboxNameError, JSON.stringify(name));
  }
  assert.equal(existsSync(root), false, 'nothing was created');
  assert.equal(existsSync(join(scratch, 'etc')), false);
});

test('a folder name fits when its directory name is at most 255 octets on disk', async () => {
  const { md, root } = maildir();
  await md.create('x'.repeat(254)); // "." + 254 = 255
  assert.ok(existsSync(join(root, '.' + 'x'.repeat(254))));
  assert.throws(() => md.exists('x'.repeat(255)), /256 octets on disk/);
  // Levels share one directory name; modified UTF-7 expands: "ü" is "&APw-" (5 octets).
  assert.throws(() => md.exists(`${'a'.repeat(120)}.${'b'.repeat(134)}`), MailboxNameError);
  assert.equal(md.exists(`${'a'.repeat(120)}.${'b'.repeat(133)}`), false);
  // n × "ü" is "." + "&" + ceil(16n / 6) characters + "-": 254 octets for 94, 257 for 95.
  assert.equal(md.exists('ü'.repeat(94)), false);
  assert.throws(() => md.exists('ü'.repeat(95)), /257 octets on disk/);
  const utf8 = new Maildir(root, { encoding: 'utf8' });
  assert.equal(utf8.exists('ü'.repeat(127)), false, '1 + 254 octets');
  assert.throws(() => utf8.exists('ü'.repeat(128)), MailboxNameError);
});

test('stage writes LF line ends in tmp/ with S= and W=; commit moves it to new/', async () => {
  const { md, root } = maildir();
  await md.create('INBOX');
  const copy = await md.stage('INBOX', message, []);
  assert.equal(copy.mailbox, 'INBOX');
  assert.deepEqual(ls(join(root, 'new')), []);
  const base = copy.tmpPath.slice(join(root, 'tmp').length + 1);
  const m = NAME.exec(base);
  assert.ok(m, base);
  const stored = 'Subject: hi\n\nline 1\nline 2\n';
  assert.equal(readFileSync(copy.tmpPath, 'utf8'), stored);
  assert.equal(Number(m[3]), process.pid);
  assert.equal(Number(m[5]), stored.length);
  assert.equal(Number(m[6]), message.length);
  assert.ok(Math.abs(Number(m[1]) - Date.now() / 1000) < 3600, 'seconds since the epoch');
  assert.equal(copy.finalPath, join(root, 'new', base));

  await md.commit([copy]);
  assert.deepEqual(ls(join(root, 'tmp')), []);
  assert.deepEqual(ls(join(root, 'new')), [base]);
  assert.equal(readFileSync(copy.finalPath, 'utf8'), stored);
});

test('line ends: CRLF becomes LF, a lone CR or LF stays, W counts each LF as CRLF', () => {
  const cases: [string, string, number][] = [
    ['a\r\nb', 'a\nb', 4],
    ['x\ry', 'x\ry', 3], // Dovecot: S=3, W=3
    ['a\nb\r\n', 'a\nb\n', 6],
    ['\r\n\r\n', '\n\n', 4],
    ['\r\r\n', '\r\n', 3],
    ['', '', 0],
    ['no newline', 'no newline', 10],
  ];
  for (const [input, stored, w] of cases) {
    const { data, lineFeeds } = crlfToLf(Buffer.from(input, 'latin1'));
    assert.equal(data.toString('latin1'), stored, JSON.stringify(input));
    assert.equal(data.length + lineFeeds, w, JSON.stringify(input));
  }
  // A view into a larger buffer converts only its own bytes.
  const big = Buffer.from('XXa\r\nbYY');
  assert.equal(crlfToLf(big.subarray(2, 6)).data.toString(), 'a\nb');
});

test('system flags become sorted info letters and the copy goes to cur/', async () => {
  const { md, root } = maildir();
  await md.create('Work');
  const copy = await md.stage('Work', message, [
    '\\seen',
    '\\Flagged',
    '\\ANSWERED',
    '\\Draft',
    '\\Deleted',
    '\\Recent',
    '\\Seen',
  ]);
  assert.ok(copy.finalPath.startsWith(join(root, '.Work', 'cur') + '/'));
  assert.ok(copy.finalPath.endsWith(':2,DFRST'), copy.finalPath);
  await md.commit([copy]);
  assert.deepEqual(ls(join(root, '.Work', 'cur')).length, 1);
  assert.equal(existsSync(join(root, '.Work', 'dovecot-keywords')), false, 'no keywords, no file');
});

test('keywords get letters through dovecot-keywords, keeping existing assignments', async () => {
  const { md, root } = maildir();
  await md.create('INBOX');
  const keywords = join(root, 'dovecot-keywords');
  writeFileSync(keywords, '0 $Label1\n3 Old\n');
  const past = new Date(Date.now() - 3600_000);
  utimesSync(keywords, past, past);
  const copy = await md.stage('INBOX', message, [
    '\\Seen',
    'old',
    'NewOne',
    '$label1',
    'bad(word',
    '\\Custom',
    'Zeta',
  ]);
  // "old" matches "Old" ignoring case (d); new ones fill the free slots 1 (b) and 2 (c).
  assert.ok(copy.finalPath.endsWith(':2,Sabcd'), copy.finalPath);
  assert.equal(readFileSync(keywords, 'utf8'), '0 $Label1\n1 NewOne\n2 Zeta\n3 Old\n');
  assert.ok(statSync(keywords).mtimeMs > past.getTime(), 'mtime grows so Dovecot rereads it');
  assert.deepEqual(
    ls(root).filter((f) => f.endsWith('.lock')),
    [],
  );

  // Keywords alone put the copy in cur/ too.
  const only = await md.stage('INBOX', message, ['Zeta']);
  assert.ok(only.finalPath.endsWith(':2,c'));
  await md.abort([copy, only]);
});

test('keywords beyond the 26 letters are dropped, as Dovecot drops them', async () => {
  const { md, root } = maildir();
  await md.create('INBOX');
  const many = Array.from({ length: 28 }, (_, i) => `k${i}`);
  const copy = await md.stage('INBOX', message, many);
  assert.ok(copy.finalPath.endsWith(':2,abcdefghijklmnopqrstuvwxyz'), copy.finalPath);
  const lines = readFileSync(join(root, 'dovecot-keywords'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 26);
  assert.equal(lines[25], '25 k25');
  const dropped = await md.stage('INBOX', message, ['k27']);
  assert.ok(dropped.finalPath.startsWith(join(root, 'new')), 'no letter left: no flags');
  await md.abort([copy, dropped]);
});

test('abort removes staged copies; nothing becomes visible', async () => {
  const { md, root } = maildir();
  await md.create('A');
  const copies = [await md.stage('INBOX', message, []), await md.stage('A', message, ['\\Seen'])];
  assert.equal(ls(join(root, 'tmp')).length, 1);
  await md.abort(copies);
  await md.abort(copies); // never throws, even when already gone
  for (const dir of ['tmp', 'new', 'cur', '.A/tmp', '.A/new', '.A/cur'])
    assert.deepEqual(ls(join(root, dir)), [], dir);
});

test('stage into a missing folder fails with a temporary error and writes nothing', async () => {
  const { md, root } = maildir();
  await md.create('INBOX');
  const err = await md.stage('Missing', message, []).then(
    () => assert.fail('staged'),
    (e: unknown) => e,
  );
  assert.equal(isTemporaryFsError(err), true);
  assert.match(String(err), /"Missing" does not exist/);
  assert.equal(existsSync(join(root, '.Missing')), false);
});

test('concurrent stages get distinct names and one consistent keyword file', async () => {
  const { md, root } = maildir();
  await md.create('INBOX');
  const copies = await Promise.all(
    Array.from({ length: 40 }, (_, i) => md.stage('INBOX', message, [`kw${i % 8}`, '\\Seen'])),
  );
  const names = new Set(copies.map((c) => c.tmpPath));
  assert.equal(names.size, 40);
  assert.equal(ls(join(root, 'tmp')).length, 40);
  const file = readFileSync(join(root, 'dovecot-keywords'), 'utf8').trim().split('\n');
  assert.equal(file.length, 8, file.join('|'));
  const letterOf = new Map(
    file.map((l) => [l.split(' ')[1], String.fromCharCode(0x61 + Number(l.split(' ')[0]))]),
  );
  copies.forEach((c, i) => assert.ok(c.finalPath.endsWith(`:2,S${letterOf.get(`kw${i % 8}`)}`), c.finalPath));
  await md.commit(copies);
  assert.deepEqual(ls(join(root, 'tmp')), []);
  assert.equal(ls(join(root, 'cur')).length, 40);
});

test('a dotlock held by a live process ends in a temporary EAGAIN after lockTimeoutMs', async () => {
  const { md, root } = maildir({ lockTimeoutMs: 50 });
  await md.create('INBOX');
  const lock = join(root, 'dovecot-uidlist.lock');
  writeFileSync(lock, `${process.pid}:${hostname()}`);
  const err = await md.stage('INBOX', message, ['NewKeyword']).then(
    () => assert.fail('staged'),
    (e: unknown) => e,
  );
  assert.equal((err as { code?: string }).code, 'EAGAIN');
  assert.equal(isTemporaryFsError(err), true);
  assert.deepEqual(ls(join(root, 'tmp')), []);
  assert.ok(existsSync(lock), "someone else's lock is left alone");
  // Known keywords need no lock.
  writeFileSync(join(root, 'dovecot-keywords'), '0 Known\n');
  const copy = await md.stage('INBOX', message, ['known']);
  assert.ok(copy.finalPath.endsWith(':2,a'));
  await md.abort([copy]);
});

test('a stale dotlock (old, or naming a dead process) is overridden', async () => {
  const { md, root } = maildir({ lockTimeoutMs: 50 });
  await md.create('INBOX');
  const lock = join(root, 'dovecot-uidlist.lock');
  writeFileSync(lock, `${process.pid}:${hostname()}`);
  const old = new Date(Date.now() - 121_000);
  utimesSync(lock, old, old);
  const a = await md.stage('INBOX', message, ['one']);
  assert.ok(a.finalPath.endsWith(':2,a'));
  assert.equal(existsSync(lock), false, 'released after use');

  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  writeFileSync(lock, `${dead.stdout.toString()}:${hostname()}`);
  const recent = new Date(Date.now() - 5_000); // past Dovecot's 2 s before it checks the PID
  utimesSync(lock, recent, recent);
  const b = await md.stage('INBOX', message, ['two']);
  assert.ok(b.finalPath.endsWith(':2,b'));
  await md.abort([a, b]);
});

test(
  'a write that fails part way leaves nothing behind (EFBIG under ulimit -f)',
  { skip: process.platform === 'win32' },
  () => {
    const { root } = maildir();
    const module = fileURLToPath(new URL('../../../src/deliver/maildir.ts', import.meta.url));
    const script = `
    import { Maildir } from ${JSON.stringify(module)};
    const md = new Maildir(${JSON.stringify(root)});
    await md.create('INBOX');
    try {
      await md.stage('INBOX', Buffer.alloc(64 * 1024, 'x'), []);
      console.log('written');
    } catch (e) {
      console.log(e.code);
    }`;
    // The file size limit is 1 KiB (one block), so the 64 KiB write fails part way; Node ignores
    // SIGXFSZ, so write() fails with EFBIG after writing the first KiB.
    const r = spawnSync(
      'bash',
      ['-c', 'ulimit -f 1 && exec "$0" --import tsx --input-type=module -e "$1"', process.execPath, script],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.trim(), 'EFBIG');
    for (const dir of ['tmp', 'new', 'cur']) assert.deepEqual(ls(join(root, dir)), [], dir);
  },
);

test('a commit that fails part way moves the copies it moved back to tmp/', async () => {
  const { md, root } = maildir({ fsync: false });
  await md.create('A');
  await md.create('B');
  const a = await md.stage('A', message, []);
  const b = await md.stage('B', message, []);
  rmdirSync(join(root, '.B', 'new'));
  await assert.rejects(md.commit([a, b]), { code: 'ENOENT' });
  assert.deepEqual(ls(join(root, '.A', 'new')), []);
  assert.ok(existsSync(a.tmpPath) && existsSync(b.tmpPath));
  await md.abort([a, b]);
  assert.deepEqual(ls(join(root, '.A', 'tmp')), []);
});

test('the host name in file names escapes "/", ":" and ","', async () => {
  const root = join(scratch, 'host', 'Maildir');
  const md = new Maildir(root, { hostname: 'a/b:c,d', fsync: false });
  await md.create('INBOX');
  const copy = await md.stage('INBOX', message, []);
  assert.match(copy.tmpPath, /Q\d+\.a\\057b\\072c\\054d,S=\d+,W=\d+$/);
  await md.abort([copy]);
});

test('isTemporaryFsError: a full disk is temporary, a bad name is not', () => {
  const err = (code: string): Error => Object.assign(new Error(code), { code });
  for (const code of [
    'ENOSPC',
    'EDQUOT',
    'EIO',
    'EMFILE',
    'ENFILE',
    'EAGAIN',
    'EROFS',
    'EACCES',
    'EPERM',
    'ENOENT',
  ]) {
    assert.equal(isTemporaryFsError(err(code)), true, code);
  }
  for (const e of [
    err('ENAMETOOLONG'),
    err('EFBIG'),
    err('ENOTDIR'),
    new MailboxNameError('x'),
    new Error('x'),
    'ENOSPC',
    null,
  ]) {
    assert.equal(isTemporaryFsError(e), false, String(e));
  }
});
