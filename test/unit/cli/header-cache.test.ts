// sievert filter's header reads: the first page, the Maildir S= size, and the header cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { sievert } from './run.js';
import { cacheKey, HeaderCache, MAX_CACHED_HEADER } from '../../../src/cli/header-cache.js';
import { HeaderReader, maildirSize } from '../../../src/cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-hc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function message(subject: string, headerPad = 0, bodySize = 10): string {
  const pad = headerPad ? `X-Pad: ${'p'.repeat(headerPad)}\r\n` : '';
  return `From: a@example.com\r\n${pad}Subject: ${subject}\r\n\r\n${'b'.repeat(bodySize)}\r\n`;
}

test('HeaderReader returns the header block and the size, across the first-read boundary', () => {
  const reader = new HeaderReader();
  for (const [pad, body] of [
    [0, 10],
    [0, 20000],
    [4030, 10], // the blank line straddles the first 4 KiB read
    [5000, 100],
    [40000, 70000], // a header block larger than the reader's buffer
  ] as const) {
    const text = message('s', pad, body);
    const p = join(dir, `m-${pad}-${body}`);
    writeFileSync(p, text);
    const { bytes, size } = reader.read(p, false);
    const end = text.indexOf('\r\n\r\n') + 4;
    assert.equal(Buffer.from(bytes).toString('latin1'), text.slice(0, end), `pad ${pad}`);
    assert.equal(size, text.length);
  }
  // A message without a blank line: all of it is header.
  writeFileSync(join(dir, 'nobody'), 'Subject: x\r\n'.repeat(1000));
  assert.equal(reader.read(join(dir, 'nobody'), false).bytes.length, 12000);
});

test('the Maildir S= field gives the size without a stat; a missing one falls back', () => {
  assert.equal(maildirSize('cur/1700000000.M1P2.host,S=14607,W=14900:2,S'), 14607);
  assert.equal(maildirSize('new/1700000000.M1P2.host,S=99'), 99);
  assert.equal(maildirSize('new/1700000000.M1P2.host'), undefined);
  assert.equal(maildirSize('new/1700000000.M1P2.host,S=12x'), undefined);
  const reader = new HeaderReader();
  const p = join(dir, 'sized');
  writeFileSync(p, message('s', 0, 9000));
  assert.equal(reader.read(p, false, 123456).size, 123456);
  assert.equal(reader.read(p, false).size, message('s', 0, 9000).length);
});

test('cache keys drop the Maildir flags, so a flag change keeps the entry', () => {
  assert.equal(cacheKey('cur/1.M2P3.host,S=5:2,S'), '1.M2P3.host,S=5');
  assert.equal(cacheKey('new/1.M2P3.host,S=5'), '1.M2P3.host,S=5');
});

test('HeaderCache: written when something changed, read back, damaged files ignored', () => {
  const md = join(dir, 'box');
  mkdirSync(md);
  const cacheDir = join(dir, 'cache');
  const c1 = HeaderCache.open(md, cacheDir);
  assert.equal(c1.get('a'), undefined);
  c1.put('a', Buffer.from('Subject: a\r\n\r\n'), 100);
  c1.put('b', Buffer.from('Subject: b\r\n\r\n'), 2 ** 33 + 5); // sizes above 4 GiB survive
  assert.equal(c1.save(), true);
  const [file] = readdirSync(cacheDir);
  assert.ok(file);

  const c2 = HeaderCache.open(md, cacheDir);
  assert.equal(Buffer.from(c2.get('a')!.bytes).toString(), 'Subject: a\r\n\r\n');
  assert.equal(c2.get('b')!.size, 2 ** 33 + 5);
  assert.equal(c2.save(), false, 'nothing changed: no write');

  // Only 'a' is seen this run: the rewrite drops 'b'.
  const c3 = HeaderCache.open(md, cacheDir);
  c3.get('a');
  assert.equal(c3.save(), true);
  const c4 = HeaderCache.open(md, cacheDir);
  assert.equal(c4.get('b'), undefined);
  assert.ok(c4.get('a'));

  // Truncated or foreign files are an empty cache, never an error.
  const path = join(cacheDir, file);
  writeFileSync(path, readFileSync(path).subarray(0, 40));
  assert.equal(HeaderCache.open(md, cacheDir).get('a'), undefined);
  writeFileSync(path, 'garbage');
  assert.equal(HeaderCache.open(md, cacheDir).get('a'), undefined);
});

test('HeaderCache: header blocks over MAX_CACHED_HEADER are not cached; at the limit they are', () => {
  const md = join(dir, 'big');
  mkdirSync(md);
  const cacheDir = join(dir, 'big-cache');
  const c = HeaderCache.open(md, cacheDir);
  c.put('over', new Uint8Array(MAX_CACHED_HEADER + 1), 1);
  assert.equal(c.save(), false, 'nothing to write');
  c.put('at', new Uint8Array(MAX_CACHED_HEADER), 1);
  assert.equal(c.save(), true);
  const back = HeaderCache.open(md, cacheDir);
  assert.equal(back.get('at')?.bytes.length, MAX_CACHED_HEADER);
  assert.equal(back.get('over'), undefined);
});

test('filter gives the same answers from a cold and a warm cache, and sees new messages', () => {
  const md = join(dir, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
  writeFileSync(join(md, 'new', '1.host'), message('hi'));
  writeFileSync(join(md, 'cur', '2.host:2,S'), message('other', 6000));
  const script = join(dir, 'f.sieve');
  writeFileSync(script, 'require "fileinto"; if header :is "subject" "hi" { fileinto "Hi"; }');
  const cacheDir = join(dir, 'filter-cache');
  const lines = (out: string): string[] => out.trim().split('\n').slice(0, -1).sort();
  const cold = filter('filter', script, md, '--json', '--cache-dir', cacheDir);
  assert.equal(cold.code, 0);
  assert.equal(readdirSync(cacheDir).length, 1);
  const warm = filter('filter', script, md, '--json', '--cache-dir', cacheDir);
  assert.deepEqual(lines(warm.stdout), lines(cold.stdout));
  assert.equal(lines(warm.stdout).length, 2);
  writeFileSync(join(md, 'new', '3.host'), message('hi'));
  const more = filter('filter', script, md, '--json', '--cache-dir', cacheDir);
  assert.equal(lines(more.stdout).filter((l) => l.includes('"Hi"')).length, 2);
  const none = join(dir, 'never');
  filter('filter', script, md, '--json', '--no-cache', '--cache-dir', none);
  assert.equal(existsSync(none), false);
});

test('filter reads whole files for a script that tests the body, and keeps no header cache', () => {
  const md = join(dir, 'BodyMaildir');
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
  writeFileSync(join(md, 'new', '1.host'), message('a', 0, 10).replace('bbbbbbbbbb', 'needle here'));
  writeFileSync(join(md, 'new', '2.host'), message('b', 0, 10));
  const script = join(dir, 'body.sieve');
  writeFileSync(
    script,
    'require ["body", "fileinto"]; if body :text :contains "needle" { fileinto "Found"; }',
  );
  const cacheDir = join(dir, 'body-cache');
  const r = filter('filter', script, md, '--json', '--cache-dir', cacheDir);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.split('\n').filter((l) => l.includes('"Found"')).length, 1);
  assert.equal(existsSync(cacheDir), false);
});

function filter(...args: string[]): { code: number; stdout: string } {
  return sievert(args);
}
