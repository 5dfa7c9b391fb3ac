// Promise 4 with the reference implementation: every script the rules tests write compiles with
// Pigeonhole's sievec, in a private Dovecot configuration (as PigeonholeSandbox runs sieve-test).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../../src/sieve/index.js';
import { missingProgram, runProgram } from '../programs.js';
import { fixtures, writtenScripts } from '../../unit/rules/corpus.js';
import { WRITABLE_DIALECTS } from '../../../src/rules/index.js';

const SIEVEC = process.env['SIEVEC'] ?? 'sievec';
const missing = missingProgram(SIEVEC);

/** Extensions Pigeonhole ships switched off, enabled only for the scripts that require them. */
const OFF_BY_DEFAULT = ['vacation-seconds', 'editheader', 'vnd.dovecot.debug'];

test(
  'every script the rules tests write compiles with sievec',
  {
    skip: missing ? `${missing} is not installed (apt-get install dovecot-sieve; .ci/run does this)` : false,
  },
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'sievert-sievec-'));
    chmodSync(root, 0o777);
    after(() => rmSync(root, { recursive: true, force: true }));
    const conf = join(root, 'dc.conf');
    const asRoot = process.getuid?.() === 0;
    writeFileSync(
      conf,
      [
        ...(asRoot ? ['mail_uid = nobody', 'mail_gid = nogroup'] : []),
        `mail_location = maildir:${join(root, 'mail')}`,
        'log_path = /dev/stderr',
        'info_log_path = /dev/stderr',
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    const good = new Set(
      fixtures()
        .filter((f) => compile(f.source).program)
        .map((f) => f.name),
    );
    const scripts = writtenScripts().filter((w) => good.has(w.from));
    assert.ok(scripts.length > 300, `${scripts.length} scripts`);
    // Every writer is in there: conversions to, and rules added in, each writable convention, and
    // edits of rules already in it.
    for (const to of WRITABLE_DIALECTS) {
      assert.ok(
        scripts.some((w) => w.label.endsWith(`convert to ${to}`)),
        `convert to ${to}`,
      );
      if (to !== 'ingo')
        assert.ok(
          scripts.some((w) => w.label.endsWith(`add a ${to} rule`)),
          `add a ${to} rule`,
        );
    }
    for (const d of ['rainloop/', 'nextcloud/', 'fastmail/', 'ispconfig/'])
      assert.ok(
        scripts.some((w) => w.from.startsWith(d) && / (on|off)$/.test(w.label)),
        `${d} switched`,
      );
    const failures: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < scripts.length; i = next++) {
        const w = scripts[i]!;
        const path = join(root, `${i}.sieve`);
        writeFileSync(path, w.script, { mode: 0o666 });
        const extensions = OFF_BY_DEFAULT.filter((x) => w.script.includes(`"${x}"`)).map((x) => `+${x}`);
        const args = [
          '-c',
          conf,
          ...(extensions.length ? ['-x', extensions.join(' ')] : []),
          path,
          join(root, `${i}.svbin`),
        ];
        const r = await runProgram(SIEVEC, args);
        if (r.code !== 0) failures.push(`${w.label}: ${r.out}\n${w.script}`);
      }
    };
    // Two at a time: the machine is shared.
    await Promise.all([worker(), worker()]);
    assert.deepEqual(failures, []);
  },
);
