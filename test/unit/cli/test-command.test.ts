// `sievert test` with what include, spamtest/virustest and vacation read from outside the script:
// --personal-dir, --global-dir and --config (a `sievert serve` configuration's [sieve] section).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sievert as run } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-cli-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

const sievert = (...args: string[]) => run(args);

const MESSAGE = file(
  'm.eml',
  'From: alice@example.net\r\nTo: bob@example.com\r\nSubject: hi\r\nX-Spam-Score: 7\r\n' +
    'X-Virus: infected\r\n\r\nbody\r\n',
);

interface Out {
  actions: { type: string; mailbox?: string; seconds?: number }[];
  error: { kind: string; message: string } | null;
}

function json(r: { code: number; stdout: string; stderr: string }): Out {
  assert.ok(r.stdout.trim() !== '', `no output (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Out;
}

const mailboxes = (o: Out): (string | undefined)[] =>
  o.actions.filter((a) => a.type === 'fileinto').map((a) => a.mailbox);

const INCLUDE_BOTH = file(
  'main/include.sieve',
  'require ["include", "fileinto"];\ninclude :personal "mine";\ninclude :global "site";\n',
);
file('personal/mine.sieve', 'require "fileinto";\nfileinto "from-personal";\n');
file('global/site.sieve', 'require "fileinto";\nfileinto "from-global";\n');

test('test --personal-dir and --global-dir: include reads NAME.sieve from each', () => {
  const r = sievert(
    'test',
    INCLUDE_BOTH,
    MESSAGE,
    '--personal-dir',
    join(dir, 'personal'),
    '--global-dir',
    join(dir, 'global'),
    '--json',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(mailboxes(json(r)), ['from-personal', 'from-global']);
});

test("test: :personal defaults to the script's own folder; :global to none (a run-time error)", () => {
  file('main/mine.sieve', 'require "fileinto";\nfileinto "beside-the-script";\n');
  const personal = file('main/personal-only.sieve', 'require "include";\ninclude :personal "mine";\n');
  const r = sievert('test', personal, MESSAGE, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(mailboxes(json(r)), ['beside-the-script']);
  const global = sievert('test', INCLUDE_BOTH, MESSAGE, '--json');
  assert.equal(global.code, 1);
  assert.equal(json(global).error?.kind, 'runtime');
  assert.match(json(global).error?.message ?? '', /site/);
});

test('test: a missing --personal-dir or --global-dir is an error naming the option and the folder', () => {
  for (const option of ['--personal-dir', '--global-dir']) {
    const missing = join(dir, 'no-such-folder');
    const r = sievert('test', INCLUDE_BOTH, MESSAGE, option, missing, '--json');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`${option}: .*no-such-folder`));
  }
  const notDir = sievert('test', INCLUDE_BOTH, MESSAGE, '--global-dir', MESSAGE);
  assert.equal(notDir.code, 2);
  assert.match(notDir.stderr, /--global-dir: .*not a folder/);
});

test("test --config: the [sieve] section's spamtest, virustest, global_dir and vacation periods apply", () => {
  const config = file(
    'sievert.toml',
    [
      '[sieve]',
      'global_dir = "global"',
      'vacation_min_period = "1h"',
      'vacation_default_period = "2h"',
      'vacation_max_period = "3h"',
      '[sieve.spamtest]',
      'header = "X-Spam-Score"',
      'max = 10',
      '[sieve.virustest]',
      'header = "X-Virus"',
      'format = "text"',
      'map = [{ pattern = "^infected$", value = 5 }]',
      '',
    ].join('\n'),
  );
  const script = file(
    'main/config.sieve',
    [
      'require ["include", "fileinto", "spamtest", "virustest", "relational", "comparator-i;ascii-numeric", "vacation-seconds"];',
      'include :global "site";',
      'if spamtest :value "ge" :comparator "i;ascii-numeric" "7" { fileinto "spam"; }',
      'if virustest :value "eq" :comparator "i;ascii-numeric" "5" { fileinto "virus"; }',
      'vacation :seconds 60 "away";',
      '',
    ].join('\n'),
  );
  const r = sievert('test', script, MESSAGE, '--config', config, '--to', 'bob@example.com', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = json(r);
  assert.deepEqual(mailboxes(out), ['from-global', 'spam', 'virus']);
  assert.equal(out.actions.find((a) => a.type === 'vacation')?.seconds, 3600);
  // Without the configuration neither test is configured, and the period is the engine's own.
  const bare = json(sievert('test', script, MESSAGE, '--global-dir', join(dir, 'global'), '--json'));
  assert.deepEqual(mailboxes(bare), ['from-global']);
  // --global-dir wins over the configuration's global_dir.
  file('other/site.sieve', 'require "fileinto";\nfileinto "from-other";\n');
  const other = sievert(
    'test',
    script,
    MESSAGE,
    '--config',
    config,
    '--global-dir',
    join(dir, 'other'),
    '--json',
  );
  assert.deepEqual(mailboxes(json(other)).slice(0, 1), ['from-other']);
});

test("test --config: editheader's forbidden fields apply, as in delivery", () => {
  const config = file(
    'editheader.toml',
    '[sieve]\neditheader_forbid_add = ["X-Verified"]\neditheader_forbid_delete = ["List-Id"]\n',
  );
  const script = file(
    'main/editheader.sieve',
    [
      'require ["editheader", "fileinto"];',
      'addheader "X-Verified" "yes";',
      'deleteheader "List-Id";',
      'if header :is "X-Verified" "yes" { fileinto "added"; }',
      'if not exists "List-Id" { fileinto "deleted"; }',
      '',
    ].join('\n'),
  );
  const message = file('list.eml', 'From: alice@example.net\r\nList-Id: <list.example.net>\r\n\r\nbody\r\n');
  assert.deepEqual(mailboxes(json(sievert('test', script, message, '--json'))), ['added', 'deleted']);
  const r = sievert('test', script, message, '--config', config, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(json(r).actions, [{ type: 'keep', flags: [] }]);
});

test('test --config: a bad key, a bad value or a missing file is an error naming it', () => {
  const badKey = file('bad-key.toml', '[sieve]\nspamtset = 1\n');
  const r = sievert('test', INCLUDE_BOTH, MESSAGE, '--config', badKey, '--json');
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /bad-key\.toml.*spamtset/);
  const badValue = file('bad-value.toml', '[sieve.spamtest]\nheader = "X-Spam-Score"\nformat = "score"\n');
  const v = sievert('test', INCLUDE_BOTH, MESSAGE, '--config', badValue);
  assert.equal(v.code, 2);
  assert.match(v.stderr, /sieve\.spamtest\.max/);
  const missing = sievert('test', INCLUDE_BOTH, MESSAGE, '--config', join(dir, 'none.toml'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /none\.toml/);
});
