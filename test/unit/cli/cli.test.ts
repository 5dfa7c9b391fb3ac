// The sievert command as a user runs it: exit codes and output formats from the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sievert as run } from './run.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'sievert-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const MESSAGE =
  'Return-Path: <alice@example.com>\r\nFrom: alice@example.com\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nbody\r\n';

test('check: exit 0 for good scripts, 1 with FILE:LINE:COL diagnostics for bad ones', () => {
  const good = file('good.sieve', 'require "fileinto";\nfileinto "A";\n');
  const bad = file('bad.sieve', 'keep;\nfileinto "A";\n');
  assert.equal(sievert('check', good).code, 0);
  const r = sievert('check', good, bad);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:1: error: .*require "fileinto"`),
  );
});

test('check --json lists every file with its diagnostics', () => {
  const bad = file('bad2.sieve', 'frob;\nif header "a b" "x" {}\n');
  const r = sievert('check', '--json', bad);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as {
    file: string;
    ok: boolean;
    diagnostics: { line: number; code: string }[];
  }[];
  assert.equal(report[0]!.ok, false);
  assert.deepEqual(
    report[0]!.diagnostics.map((d) => [d.line, d.code]),
    [
      [1, 'command.unknown'],
      [2, 'header.invalid-name'],
    ],
  );
});

test('check reports invalid UTF-8 with its position and a missing file clearly', () => {
  const bad = file('latin1.sieve', Uint8Array.from([...Buffer.from('keep;\n# caf'), 0xe9, 0x0a]));
  const r = sievert('check', bad);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /:2:6: error: the script is not valid UTF-8/);
  assert.match(sievert('check', join(dir, 'missing.sieve')).stderr, /cannot read the script/);
});

test('test --json prints the actions in the README schema', () => {
  const s = file(
    't.sieve',
    'require ["fileinto", "envelope"];\nif envelope :is "from" "" { fileinto "Null"; }\nredirect "x@example.com";\n',
  );
  const m = file('m.eml', MESSAGE);
  const r = sievert('test', s, m, '--from', '', '--to', 'bob@example.org', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    actions: [
      { type: 'fileinto', mailbox: 'Null', flags: [], copy: false, create: false },
      { type: 'redirect', address: 'x@example.com', copy: false },
    ],
    error: null,
  });
});

test('test --json: compile and run-time errors keep the message', () => {
  const m = file('m2.eml', MESSAGE);
  const c = sievert('test', file('c.sieve', 'frob;'), m, '--json');
  assert.equal(c.code, 1);
  const cj = JSON.parse(c.stdout) as { actions: unknown[]; error: { kind: string; message: string } };
  assert.deepEqual(cj.actions, [{ type: 'keep', flags: [] }]);
  assert.equal(cj.error.kind, 'compile');
  const redirects = Array.from({ length: 5 }, (_, i) => `redirect "r${i}@example.com";`).join('\n');
  const rt = sievert('test', file('r.sieve', redirects), m, '--json');
  const rj = JSON.parse(rt.stdout) as { actions: unknown[]; error: { kind: string; message: string } };
  assert.deepEqual(rj.actions, [{ type: 'keep', flags: [] }]);
  assert.equal(rj.error.kind, 'runtime');
  assert.match(rj.error.message, /redirect/);
});

test('test prints performed actions and the implicit keep; --trace shows tests', () => {
  const s = file('h.sieve', 'if header :is "subject" "hi" { redirect "x@example.com"; }\nkeep;\n');
  const r = sievert('test', s, file('m3.eml', MESSAGE), '--trace');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Performed actions:\n\n \* redirect message to: <x@example.com>\n \* keep/);
  assert.match(r.stdout, /Implicit keep:\n\n {2}\(none\)/);
  assert.match(r.stdout, /1: header test: true/);
});

test('filter runs over a Maildir and an mbox and prints a summary', () => {
  const md = join(dir, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
  writeFileSync(join(md, 'new', '1.host'), MESSAGE);
  writeFileSync(join(md, 'cur', '2.host:2,S'), MESSAGE.replace('Subject: hi', 'Subject: other'));
  const s = file('f.sieve', 'require "fileinto"; if header :is "subject" "hi" { fileinto "Hi"; }');
  const r = sievert('filter', s, md, '--json', '--no-cache');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 3);
  assert.deepEqual(
    lines[2]!.summary && (lines[2]!.summary as { messages: number; actions: unknown }).actions,
    { keep: 1, fileinto: 1 },
  );
  const mbox = file(
    'box.mbox',
    `From alice@example.com Sat Nov 21 10:00:00 2026\n${MESSAGE}\nFrom bob Sat Nov 21 10:00:00 2026\n${MESSAGE.replace('Subject: hi', 'Subject: x')}`,
  );
  const h = sievert('filter', s, mbox);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /#1: fileinto: store message in folder: Hi/);
  assert.match(h.stdout, /2 messages in .*keep 1, fileinto 1|2 messages in .*fileinto 1, keep 1/);
});

test('--help and unknown commands', () => {
  const h = sievert('--help');
  assert.equal(h.code, 0);
  assert.match(h.stdout, /check \[options\] <file\.\.\.>/);
  assert.equal(sievert('frobnicate').code, 2);
});

function sievert(...args: string[]): { code: number; stdout: string; stderr: string } {
  return run(args);
}
