// RFC 7352: duplicate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, run, type ExpiringMemory, type RunResult } from '../../../../src/sieve/index.js';
import { DEFAULT_MESSAGE, errorCodes, program } from '../helpers.js';

const MESSAGE = `Message-ID: <m1@example.com>\r\nX-Id: abc\r\nX-Id: second\r\n${DEFAULT_MESSAGE}`;

/** A memory like delivery's: marks are made by executing the result's duplicate actions. */
function memory() {
  const entries = new Map<string, number>();
  const m: ExpiringMemory = {
    has: (k, now) => (entries.get(k) ?? -1) > now,
    mark: (k, seconds, now) => void entries.set(k, now + seconds * 1000),
  };
  return { m, entries };
}

function runDup(source: string, mem: ExpiringMemory, now = 0, message = MESSAGE): RunResult {
  const r = run(program(`require ["duplicate", "fileinto", "variables"];\n${source}`), {
    message: parseMessage(new TextEncoder().encode(message)),
    envelope: { from: 'sender@example.com', to: 'bob@example.org' },
    host: { duplicateMemory: mem, now: () => now },
  });
  // What delivery does with the result (RFC 7352 §3: only after a successful run).
  if (!r.error) {
    for (const a of r.actions) {
      if (a.type === 'duplicate' && (a.last || !mem.has(a.memoryKey, now)))
        mem.mark(a.memoryKey, a.seconds, now);
    }
  }
  return r;
}

const filed = (r: RunResult) => r.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));

test('§3: false the first time, true once a successful run has tracked the Message-ID', () => {
  const { m } = memory();
  const s = 'if duplicate { fileinto "dup"; }';
  const first = runDup(s, m);
  assert.deepEqual(filed(first), []);
  assert.deepEqual(
    first.actions.find((a) => a.type === 'duplicate'),
    {
      type: 'duplicate',
      memoryKey: JSON.stringify([null, '<m1@example.com>']),
      seconds: 7 * 86400,
      last: false,
    },
  );
  assert.deepEqual(filed(runDup(s, m)), ['dup']);
});

test('§3: a failing run tracks nothing; every test in one run gives the same answer', () => {
  const { m, entries } = memory();
  const r = runDup('if duplicate { fileinto "dup"; } set "a" "bad address"; redirect "${a}";', m);
  assert.equal(r.error?.kind, 'runtime');
  assert.equal(entries.size, 0);
  assert.deepEqual(filed(runDup('if duplicate { fileinto "a"; } if duplicate { fileinto "b"; }', m)), []);
});

test('§3: :header, :uniqueid and the default share entries; :handle separates them', () => {
  const { m } = memory();
  runDup('if duplicate { keep; }', m);
  assert.deepEqual(filed(runDup('if duplicate :header "message-id" { fileinto "h"; }', m)), ['h']);
  assert.deepEqual(filed(runDup('if duplicate :uniqueid "<m1@example.com>" { fileinto "u"; }', m)), ['u']);
  assert.deepEqual(filed(runDup('if duplicate :handle "x" { fileinto "x"; }', m)), []);
  // The first X-Id is the id; ids compare case-sensitively.
  runDup('if duplicate :header "x-id" { keep; }', m);
  assert.deepEqual(filed(runDup('if duplicate :uniqueid "abc" { fileinto "first"; }', m)), ['first']);
  assert.deepEqual(filed(runDup('if duplicate :uniqueid "ABC" { fileinto "upper"; }', m)), []);
});

test('§3: a missing header, an invalid header name or ":seconds 0" make the test false, tracking nothing', () => {
  const { m, entries } = memory();
  const noId = DEFAULT_MESSAGE;
  const r = runDup('if duplicate { fileinto "dup"; }', m, 0, noId);
  assert.deepEqual(r.actions, [{ type: 'keep', flags: [] }]);
  runDup('if duplicate :header "x-missing" { keep; }', m);
  runDup('if duplicate :header "bad name" { keep; }', m);
  runDup('if duplicate :seconds 0 { keep; }', m);
  assert.equal(entries.size, 0);
});

test('§3: entries expire; :last restarts the period on each check, the default does not', () => {
  const { m } = memory();
  const s = 'if duplicate :seconds 100 { fileinto "dup"; }';
  runDup(s, m, 0);
  assert.deepEqual(filed(runDup(s, m, 50_000)), ['dup']);
  assert.deepEqual(filed(runDup(s, m, 120_000)), []);
  const l = 'if duplicate :seconds 100 :last :handle "l" { fileinto "dup"; }';
  runDup(l, m, 0);
  runDup(l, m, 90_000);
  assert.deepEqual(filed(runDup(l, m, 150_000)), ['dup']);
});

test('§3: :header and :uniqueid exclude each other', () => {
  assert.deepEqual(
    errorCodes('require "duplicate"; if duplicate :header "subject" :uniqueid "x" { keep; }'),
    ['argument.duplicate-group'],
  );
  assert.deepEqual(errorCodes('if duplicate { keep; }'), ['require.missing']);
});

test('§3: without a memory service nothing was seen before', () => {
  const r = run(program('require ["duplicate", "fileinto"]; if duplicate { fileinto "dup"; }'), {
    message: parseMessage(new TextEncoder().encode(MESSAGE)),
    envelope: { from: 'a@example.com', to: 'b@example.org' },
  });
  assert.deepEqual(filed(r), []);
});
