// Differential test: every case of test/interop/corpus runs through sievert and through
// Dovecot Pigeonhole, and the two results must be the same (or, for a deliberate deviation,
// each engine must give what the case says). See docs/interop.md.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseTomlText } from '../../../src/config/index.js';
import { buildServeConfig } from '../../../src/serve/config.js';
import { parseDuration, scoreTest } from '../../../src/testsuite/settings.js';
import { type Case, loadCorpus, NO_CONTEXT } from './corpus.js';
import { PigeonholeSandbox, findPigeonhole, parseLdaLog, parseSieveTest } from './pigeonhole.js';
import { type EngineResult, comparable, discard, fileinto, keep, redirect } from './schema.js';
import { findSievert, runSievert, sievertConfig } from './sievert.js';

// The converters are tested on output captured from Pigeonhole 2.3.19, so that a change in
// how they read it shows here rather than as a puzzling disagreement below.
test('converter: sieve-test actions, with discard dropped when the message is delivered', () => {
  const stdout = [
    '',
    'Performed actions:',
    '',
    ' * store message in folder: Foo',
    ' * redirect message to: <"a b"@example.org>',
    ' * store message in folder: INBOX',
    ' * discard',
    '',
    'Implicit keep:',
    '',
    '  (none)',
    '',
  ].join('\n');
  const r = parseSieveTest(stdout, 'sieve-test: Info: final result: success\n', 0);
  assert.deepEqual(r.actions, [fileinto('Foo'), redirect('"a b"@example.org'), keep()]);
  assert.equal(r.error, null);
});

test("case settings: Pigeonhole's names become a sievert test --config file", () => {
  const toml = sievertConfig({
    sieve_spamtest_status_header: 'X-Spam-Status: score=([0-9.]+)',
    sieve_spamtest_max_header: 'X-Spam-Max',
    sieve_virustest_status_header: 'X-Virus',
    sieve_virustest_status_type: 'text',
    sieve_virustest_text_value5: 'infected',
    sieve_vacation_min_period: '1h',
  });
  assert.equal(
    toml,
    [
      '[sieve]',
      'vacation_min_period = "3600s"',
      '[sieve.spamtest]',
      'header = "X-Spam-Status"',
      'pattern = "score=([0-9.]+)"',
      'format = "score"',
      'max = "X-Spam-Max"',
      '[sieve.virustest]',
      'header = "X-Virus"',
      'format = "text"',
      'map = [{ pattern = "^infected$", value = 5 }]',
      '',
    ].join('\n'),
  );
  assert.throws(() => sievertConfig({ sieve_max_actions: '3' }), /sieve_max_actions has no counterpart/);
  // A misspelt spamtest setting too: both engines would ignore it, and the case test nothing.
  assert.throws(
    () => sievertConfig({ sieve_spamtest_max_vaule: '3' }),
    /sieve_spamtest_max_vaule has no counterpart/,
  );
});

test("case settings: sievert reads that file as the test-suite runner's mapping gives the settings", () => {
  const cases: Record<string, string>[] = [
    {
      sieve_spamtest_status_header: 'X-Spam-Status: score=([0-9.]+)',
      sieve_spamtest_max_header: 'X-Spam-Max: max=([0-9.]+)',
      sieve_virustest_status_header: 'X-Virus',
      sieve_virustest_status_type: 'text',
      sieve_virustest_text_value1: 'clean',
      sieve_virustest_text_value5: 'infected',
      sieve_vacation_min_period: '1h',
      sieve_vacation_max_period: '100d',
    },
    {
      sieve_spamtest_status_header: 'X-Spam-Level',
      sieve_spamtest_status_type: 'strlen',
      sieve_spamtest_max_value: '8',
      sieve_virustest_status_header: 'X-Virus-Found',
      sieve_virustest_status_type: 'yesno',
      sieve_vacation_default_period: '3d',
    },
  ];
  for (const settings of cases) {
    const { sieve } = buildServeConfig(parseTomlText(sievertConfig(settings)), '/');
    const map = new Map(Object.entries(settings));
    assert.deepEqual(sieve.spamtest, scoreTest(map, 'spamtest'));
    assert.deepEqual(sieve.virustest, scoreTest(map, 'virustest'));
    const period = (name: string, fallback: number): number => {
      const value = settings[name];
      return value === undefined ? fallback : parseDuration(value)!;
    };
    const defaults = buildServeConfig({}, '/').sieve.vacation;
    assert.deepEqual(sieve.vacation, {
      minPeriod: period('sieve_vacation_min_period', defaults.minPeriod),
      defaultPeriod: period('sieve_vacation_default_period', defaults.defaultPeriod),
      maxPeriod: period('sieve_vacation_max_period', defaults.maxPeriod),
    });
  }
});

test('a null-sender case (dovecot-lda) with include folders or settings is refused', async () => {
  const sandbox = new PigeonholeSandbox();
  const folder = join(sandbox.root, 'include');
  mkdirSync(folder);
  try {
    for (const context of [
      { ...NO_CONTEXT, personalDir: folder },
      { ...NO_CONTEXT, globalDir: folder },
      { ...NO_CONTEXT, settings: { sieve_vacation_min_period: '1h' } },
    ]) {
      const envelope = { from: '', to: 'bob@example.com' };
      const run = sandbox.run(Buffer.from('keep;\n'), Buffer.from('\r\nbody\r\n'), envelope, [], context);
      await assert.rejects(run, /null-sender case \(dovecot-lda\) cannot have/);
    }
  } finally {
    sandbox.dispose();
  }
});

test('converter: sieve-test implicit keep, lone discard, empty folder name', () => {
  const ok = 'sieve-test: Info: final result: success\n';
  const implicit =
    '\nPerformed actions:\n\n  (none)\n\nImplicit keep:\n\n * store message in folder: INBOX\n\n';
  assert.deepEqual(parseSieveTest(implicit, ok, 0).actions, [keep()]);
  const lone = '\nPerformed actions:\n\n * discard\n\nImplicit keep:\n\n  (none)\n\n';
  assert.deepEqual(parseSieveTest(lone, ok, 0).actions, [discard()]);
  const empty = '\nPerformed actions:\n\n * store message in folder: \n\nImplicit keep:\n\n  (none)\n\n';
  assert.deepEqual(parseSieveTest(empty, ok, 0).actions, [fileinto('')]);
  assert.throws(
    () => parseSieveTest('\nPerformed actions:\n\n * vacation\n\nImplicit keep:\n', ok, 0),
    /vacation/,
  );
});

test('converter: sieve-test :copy actions (RFC 3894) preserve the implicit keep', () => {
  const ok = 'sieve-test: Info: final result: success\n';
  // Captured from Pigeonhole 2.3.19 for: fileinto :copy "Foo"; redirect :copy "carol@example.net";
  const stdout = [
    '',
    'Performed actions:',
    '',
    ' * store message in folder: Foo',
    '        + preserve implicit keep',
    ' * redirect message to: <carol@example.net>',
    '        + preserve implicit keep',
    '',
    'Implicit keep:',
    '',
    ' * store message in folder: INBOX',
    '',
  ].join('\n');
  assert.deepEqual(parseSieveTest(stdout, ok, 0).actions, [
    { ...fileinto('Foo'), copy: true },
    { ...redirect('carol@example.net'), copy: true },
    keep(),
  ]);
  assert.throws(
    () =>
      parseSieveTest('\nPerformed actions:\n\n        + preserve implicit keep\n\nImplicit keep:\n', ok, 0),
    /after no action/,
  );
});

test('converter: sieve-test flags, reject, vacation, notify and duplicate tracking (issue 4)', () => {
  const ok = 'sieve-test: Info: final result: success\n';
  // Captured from Pigeonhole 2.3.19 (vacation, imap4flags, enotify, duplicate, then reject).
  const stdout = [
    '',
    'Performed actions:',
    '',
    ' * send vacation message:',
    '    => seconds : 259200',
    '    => subject : Away',
    '    => from    : bob@example.com',
    '    => handle  : I am awayAwaybob@example.com<NO-MIME>',
    '',
    'START MESSAGE',
    'I am away',
    '',
    'really',
    'END MESSAGE',
    ' * store message in folder: X',
    '        + add IMAP flags: \\flagged $Foo',
    " * send notification with method 'mailto:':",
    '    => importance   : 1',
    '    => subject      : hi',
    '    => recipients   :',
    '       + To: carol@example.org',
    '       + Cc: alice@example.org',
    '',
    ' * track duplicate',
    '',
    'Implicit keep:',
    '',
    ' * store message in folder: INBOX',
    '        + add IMAP flags: \\seen',
    '',
  ].join('\n');
  assert.deepEqual(parseSieveTest(stdout, ok, 0).actions, [
    { type: 'vacation', seconds: 259200, reason: 'I am away\n\nreally' },
    { ...fileinto('X'), flags: ['$Foo', '\\Flagged'] },
    { type: 'notify', importance: '1', recipients: ['alice@example.org', 'carol@example.org'] },
    { type: 'duplicate' },
    { type: 'keep', flags: ['\\Seen'] },
  ]);
  const reject =
    '\nPerformed actions:\n\n * reject message with reason: go away\n * discard\n\nImplicit keep:\n\n  (none)\n\n';
  assert.deepEqual(parseSieveTest(reject, ok, 0).actions, [{ type: 'reject', reason: 'go away' }]);
});

test('converter: sieve-test compile and run-time errors', () => {
  const compile = parseSieveTest(
    '',
    "script: line 1: error: unknown command 'foo' (only reported once at first occurrence).\n" +
      "script: line 3: error: unknown command 'bar' (only reported once at first occurrence).\n" +
      'script: error: validation failed.\nsieve-test: Fatal: failed to compile sieve script\n',
    89,
  );
  assert.equal(compile.error?.kind, 'compile');
  assert.deepEqual(compile.errorLines, [1, 3]);
  const runtime = parseSieveTest(
    '',
    'script: line 1: error: number of redirect actions exceeds policy limit (5 > 4).\n' +
      'sieve-test: Info: final result: failed; resolved with successful implicit keep\n',
    1,
  );
  assert.deepEqual(comparable(runtime), { actions: [keep()], error: { kind: 'runtime' } });
  assert.throws(() =>
    parseSieveTest('', 'sieve-test: Fatal: Invalid -f parameter: Missing domain\n', 89 + 1),
  );
});

test('converter: dovecot-lda log', () => {
  const prefix = 'Nov 21 23:45:16 lda(nobody)<1><x>: Info: sieve: msgid=<a.b@example.org>: ';
  const log = [
    `${prefix}discard action: Marked message to be discarded if not explicitly delivered (discard action)`,
    `${prefix}fileinto action: stored mail into mailbox 'Null'`,
    `${prefix}redirect action: forwarded to <x@example.org>`,
    `${prefix}stored mail into mailbox 'INBOX'`,
    '',
  ].join('\n');
  assert.deepEqual(parseLdaLog(log).actions, [fileinto('Null'), redirect('x@example.org'), keep()]);
  assert.deepEqual(parseLdaLog(`${prefix}fileinto action: stored mail into mailbox '' (INBOX)\n`).actions, [
    keep(),
  ]);
  const failed = `${prefix}stored mail into mailbox 'INBOX'\nlda(nobody): Info: sieve: Execution of script /x/script.sieve failed, but implicit keep was successful\n`;
  assert.deepEqual(comparable(parseLdaLog(failed)), { actions: [keep()], error: { kind: 'runtime' } });
});

// SIEVERT_CORPUS=5 (a name prefix) runs only the cases whose names start with it.
const only = process.env.SIEVERT_CORPUS;
const cases = loadCorpus().filter((c) => only === undefined || c.name.startsWith(only));
const pigeonhole = findPigeonhole();
const sievert = findSievert();

test('corpus: at least 150 cases, numbered uniquely', () => {
  if (only === undefined) assert.ok(cases.length >= 150, `only ${cases.length} cases`);
  const numbers = cases.map((c) => c.name.slice(0, 3));
  assert.equal(new Set(numbers).size, numbers.length, 'two cases share a number');
});

if (!pigeonhole.ok) {
  test('Pigeonhole (sieve-test) is installed', () => assert.fail(pigeonhole.reason));
} else if (!sievert.ok) {
  test('sievert is built', () => assert.fail(sievert.reason));
} else {
  const sandbox = new PigeonholeSandbox();
  const results = runAll(cases, sandbox);
  const tally = { agree: 0, deviations: 0, failed: [] as string[] };
  after(() => {
    sandbox.dispose();
    const failed = tally.failed.length === 0 ? '' : `; failing: ${tally.failed.join(', ')}`;
    console.log(
      `agreement: ${tally.agree}/${cases.length}, deliberate deviations: ${tally.deviations}${failed}`,
    );
  });

  for (const c of cases) {
    test(`${c.name}: ${c.description}`, async () => {
      const got = results.get(c.name);
      assert.ok(got);
      const [sv, ph] = await got;
      try {
        check(c, sv, ph);
      } catch (e) {
        tally.failed.push(c.name);
        throw e;
      }
      if (c.deviation) tally.deviations++;
      else tally.agree++;
    });
  }
}

function check(c: Case, sv: EngineResult, ph: EngineResult): void {
  const detail = `\n  sievert:    ${JSON.stringify(sv)}\n  pigeonhole: ${JSON.stringify(ph)}`;
  if (c.deviation) {
    assert.deepEqual(
      comparable(ph),
      c.deviation.pigeonhole,
      `Pigeonhole no longer gives what the case says${detail}`,
    );
    assert.deepEqual(
      comparable(sv),
      c.deviation.sievert,
      `sievert does not give what the case says${detail}`,
    );
    return;
  }
  // dovecot-lda (null-sender cases) logs stores before redirects: compare those as sets.
  const inOrder = ph.ordered !== false;
  assert.deepEqual(
    comparable(sv, inOrder),
    comparable(ph, inOrder),
    `sievert and Pigeonhole disagree${detail}`,
  );
  if (c.errorLine !== null) {
    assert.ok(
      ph.errorLines.includes(c.errorLine),
      `Pigeonhole reports no error on line ${c.errorLine}${detail}`,
    );
    assert.ok(
      sv.errorLines.includes(c.errorLine),
      `sievert reports no error on line ${c.errorLine}${detail}`,
    );
  }
}

/** Starts every case at once on a small pool of processes; each test awaits its own. */
function runAll(all: Case[], sandbox: PigeonholeSandbox): Map<string, Promise<[EngineResult, EngineResult]>> {
  const limit = Math.max(2, availableParallelism());
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
  const out = new Map<string, Promise<[EngineResult, EngineResult]>>();
  for (const c of all) {
    const p = Promise.all([
      slot(() => runSievert(c.scriptPath, c.messagePath, c.envelope, c.errorLine !== null, c)),
      slot(() => sandbox.run(c.script, c.message, c.envelope, c.pigeonholeExtensions, c)),
    ]);
    // Each test awaits and reports its own failure; this only keeps Node from calling an
    // early rejection unhandled.
    p.catch(() => undefined);
    out.set(c.name, p);
  }
  return out;
}
