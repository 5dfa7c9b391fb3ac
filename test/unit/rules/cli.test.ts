// sievert rules …, run in this process through main() with its output captured.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-rules-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function sievert(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  // Only what the command writes is captured: the test runner reports on the same streams.
  const fromCli = (): boolean => /src[\\/]cli[\\/]/.test(new Error().stack ?? '');
  process.stdout.write = (s: string | Uint8Array, ...rest: never[]) =>
    fromCli() ? ((stdout += String(s)), true) : out(s, ...rest);
  process.stderr.write = (s: string | Uint8Array, ...rest: never[]) =>
    fromCli() ? ((stderr += String(s)), true) : err(s, ...rest);
  try {
    const code = await main(['rules', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

const ROUNDCUBE = readFileSync('test/fixtures/rules/roundcube/managesieve.sieve', 'utf8');

test('rules list prints each item; --json gives kind, name, enabled, purpose, editable, dialect, lines', async () => {
  const f = file('rc.sieve', ROUNDCUBE);
  const text = await sievert('list', f);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^dialect: roundcube/);
  assert.match(text.stdout, /13-18\s+rule\s+off "Old filter"\s+\(blocklist, roundcube\)/);
  const json = await sievert('list', f, '--json');
  const parsed = JSON.parse(json.stdout) as { items: Record<string, unknown>[] };
  assert.deepEqual(parsed.items[2], {
    kind: 'rule',
    name: 'Forward to phone',
    enabled: true,
    purpose: 'forward',
    editable: true,
    dialect: 'roundcube',
    lines: [8, 12],
  });
});

test('rules show --json prints the whole model', async () => {
  const r = await sievert('show', file('show.sieve', ROUNDCUBE), '--json');
  assert.equal(r.code, 0);
  const doc = JSON.parse(r.stdout) as { dialect: string; items: { kind: string }[] };
  assert.equal(doc.dialect, 'roundcube');
  assert.equal(doc.items.length, 5);
});

test('rules roundtrip: exit 0 for any script, including a broken one with mixed line endings', async () => {
  const r = await sievert('roundtrip', file('broken.sieve', 'if true {\r\n keep;\n /* open'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /round-trips/);
});

test('rules set-enabled and rename print the new script, or replace the file with --in-place', async () => {
  const f = file('edit.sieve', ROUNDCUBE);
  const off = await sievert('set-enabled', f, 'Newsletters', 'off');
  assert.equal(off.code, 0, off.stderr);
  assert.match(off.stdout, /# rule:\[Newsletters\]\nif false # anyof/);
  assert.equal(readFileSync(f, 'utf8'), ROUNDCUBE);
  assert.equal((await sievert('rename', f, 'Newsletters', 'Lists', '--in-place')).code, 0);
  assert.match(readFileSync(f, 'utf8'), /# rule:\[Lists\]\n/);
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes('.tmp')),
    [],
  );
  const missing = await sievert('rename', f, 'Nope', 'X');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no rule is named "Nope"/);
  const lineBreak = await sievert('rename', f, 'Lists', 'two\nlines');
  assert.equal(lineBreak.code, 1);
  assert.match(lineBreak.stderr, /cannot hold a line break/);
});

test('rules convert --to writes another convention; unknown dialects and bad usage exit 2', async () => {
  const f = file('conv.sieve', ROUNDCUBE);
  const r = await sievert('convert', f, '--to', 'open-xchange');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /## Flag: \|UniqueId:0\|Rulename: Newsletters\n/);
  assert.match(
    r.stdout,
    /## Flag: \|UniqueId:2\|Rulename: Old filter\n#<!-->if header :is "from" "spam@example.com"\n/,
  );
  assert.equal((await sievert('convert', f, '--to', 'zimbra')).code, 2);
  assert.equal((await sievert('convert', f)).code, 2);
  assert.equal((await sievert('frobnicate', f)).code, 2);
  assert.equal((await sievert('set-enabled', f, 'Newsletters', 'maybe')).code, 2);
});

test('rules: invalid UTF-8 is reported with line and column and nothing is written', async () => {
  const bytes = Uint8Array.from([...Buffer.from('# rule:[a]\nif true { keep; }\n# caf'), 0xe9, 0x0a]);
  const f = file('latin1.sieve', bytes);
  const r = await sievert('rename', f, 'a', 'b', '--in-place');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /latin1\.sieve:3:6: error: the script is not valid UTF-8/);
  assert.deepEqual(new Uint8Array(readFileSync(f)), bytes);
});

test('rules convert --to writes RainLoop, Nextcloud, Fastmail and ISPConfig, and says which rules stay', async () => {
  const f = file('conv2.sieve', ROUNDCUBE);
  const rainloop = await sievert('convert', f, '--to', 'rainloop');
  assert.equal(rainloop.code, 0, rainloop.stderr);
  assert.match(rainloop.stdout, /# RAINLOOP:SIEVE\n\n\/\*\nBEGIN:FILTER:\w+\nBEGIN:HEADER\n/);
  assert.equal(
    rainloop.stderr,
    `sievert rules: ${f}:8: "Forward to phone" stays as it was: SnappyMail's filters cannot hold redirect :copy\n`,
  );
  const nextcloud = await sievert('convert', f, '--to', 'nextcloud');
  assert.equal(nextcloud.code, 0);
  assert.equal(nextcloud.stdout, ROUNDCUBE);
  assert.match(
    nextcloud.stderr,
    /:19: "Out of office" stays as it was: Nextcloud Mail's filters cannot hold a rule without a test\n$/,
  );
  const fastmail = await sievert('convert', f, '--to', 'fastmail');
  assert.match(fastmail.stdout, /^# \}\}\} End user advanced sieve block 'Out of office'\n$/m);
  assert.equal(fastmail.stderr, '');
  const isp = await sievert('convert', f, '--to', 'ispconfig', '--in-place');
  assert.equal(isp.code, 0);
  assert.match(readFileSync(f, 'utf8'), /^### BEGIN FILTER_ID:4\n# Out of office\nif true\n/m);
  const tine = await sievert('convert', f, '--to', 'tine');
  assert.equal(tine.code, 2);
  assert.match(
    tine.stderr,
    /--to takes one of roundcube, rule-block, open-xchange, rainloop, nextcloud, ingo, ispconfig, fastmail, critical-path \(got "tine"\)/,
  );
});
