// RFC 5235: spamtest, spamtestplus and virustest, read from the header the host configures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, run, type SieveHost } from '../../../../src/sieve/index.js';
import type { ScoreTestConfig } from '../../../../src/sieve/host.js';
import { errorCodes, program } from '../helpers.js';

const REQ =
  'require ["spamtestplus", "virustest", "relational", "comparator-i;ascii-numeric", "fileinto", "variables"];\n';

function message(headers: string[]): string {
  return [...headers, 'Subject: s', '', 'body', ''].join('\r\n');
}

/** The mailboxes the script files into. */
function folders(body: string, headers: string[], host: SieveHost = {}): string[] {
  const r = run(program(REQ + body), {
    message: parseMessage(new TextEncoder().encode(message(headers))),
    envelope: { from: 'a@example.org', to: 'b@example.com' },
    host,
  });
  if (r.error) throw new Error(r.error.message);
  return r.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}

/** The spamtest value (and :percent value) for a header under a configuration. */
function spamValues(headers: string[], spamtest?: ScoreTestConfig): [string, string] {
  const got = folders(
    'if spamtest :matches "*" { set "v" "${1}"; } if spamtest :percent :matches "*" { set "p" "${1}"; } fileinto "${v}/${p}";',
    headers,
    spamtest ? { spamtest } : {},
  );
  const [v = '', p = ''] = (got[0] ?? '').split('/');
  return [v, p];
}

const SCORE: ScoreTestConfig = { header: 'X-Spam-Score', format: { kind: 'score', max: 15 } };

test('§3.2.1: "0" when the message was not tested (no configuration, no header)', () => {
  assert.deepEqual(spamValues(['X-Spam-Score: 7.3']), ['0', '0']);
  assert.deepEqual(spamValues([], SCORE), ['0', '0']);
  assert.deepEqual(spamValues(['X-Spam-Score: none'], SCORE), ['0', '0']);
});

test('a score written without a leading digit (".13") is a fraction, not 13', () => {
  const unit: ScoreTestConfig = { header: 'X-Spam-Score', format: { kind: 'score', max: 1 } };
  assert.deepEqual(spamValues(['X-Spam-Score: .13'], unit)[1], '13');
  assert.deepEqual(spamValues(['X-Spam-Score: -.5'], unit)[1], '0');
  assert.deepEqual(spamValues(['X-Spam-Score: 1.'], unit)[1], '100');
  // 0.29 × 100 is 28.999… in binary floating point: the percentage is still 29.
  assert.deepEqual(spamValues(['X-Spam-Score: .29'], unit)[1], '29');
  assert.deepEqual(spamValues(['X-Spam-Score: 0.57'], unit)[1], '57');
});

test('§3.2.1, §3.2.2: a score is scaled to 1–10 and to a percentage of the maximum', () => {
  assert.deepEqual(spamValues(['X-Spam-Score: 7.3'], SCORE), ['5', '48']);
  assert.deepEqual(spamValues(['X-Spam-Score: 0'], SCORE), ['1', '0']);
  assert.deepEqual(spamValues(['X-Spam-Score: -3.2'], SCORE), ['1', '0']);
  assert.deepEqual(spamValues(['X-Spam-Score: 15'], SCORE), ['10', '100']);
  assert.deepEqual(spamValues(['X-Spam-Score: 40'], SCORE), ['10', '100']);
  assert.deepEqual(spamValues(['X-Spam-Score: Yes, score=7.5 required=5.0'], SCORE), ['5', '50']);
});

test('the maximum can come from a header; a missing or zero maximum means not tested', () => {
  const cfg: ScoreTestConfig = {
    header: 'X-Spam-Score',
    format: { kind: 'score', max: { header: 'X-Spam-Max' } },
  };
  assert.deepEqual(spamValues(['X-Spam-Score: 2.5', 'X-Spam-Max: 5.0'], cfg), ['5', '50']);
  assert.deepEqual(spamValues(['X-Spam-Score: 2.5'], cfg), ['0', '0']);
  assert.deepEqual(spamValues(['X-Spam-Score: 2.5', 'X-Spam-Max: 0'], cfg), ['0', '0']);
});

test('text format: the first matching pattern gives the value', () => {
  const cfg: ScoreTestConfig = {
    header: 'X-Spam-Status',
    format: {
      kind: 'text',
      map: [
        { pattern: '^No\\b', value: 1 },
        { pattern: '^Yes\\b', value: 10 },
      ],
    },
  };
  assert.deepEqual(spamValues(['X-Spam-Status: Yes, hits=9'], cfg), ['10', '100']);
  assert.deepEqual(spamValues(['X-Spam-Status: No, hits=0'], cfg), ['1', '0']);
  assert.deepEqual(spamValues(['X-Spam-Status: Maybe'], cfg), ['0', '0']);
});

test('text format: a pattern that is not a regular expression is a run-time error', () => {
  const spamtest: ScoreTestConfig = {
    header: 'X-S',
    format: { kind: 'text', map: [{ pattern: '(', value: 3 }] },
  };
  const r = run(program(`${REQ}if spamtest "3" { discard; }`), {
    message: parseMessage(new TextEncoder().encode(message(['X-S: x']))),
    envelope: { from: 'a@example.org', to: 'b@example.com' },
    host: { spamtest },
  });
  assert.match(r.error?.message ?? '', /not a valid regular expression/);
  assert.deepEqual(r.actions, [{ type: 'keep', flags: [] }]);
});

test('yesno format: yes is 10 (100 %), no is 1 (0 %)', () => {
  const cfg: ScoreTestConfig = { header: 'X-Spam-Flag', format: { kind: 'yesno' } };
  assert.deepEqual(spamValues(['X-Spam-Flag: YES'], cfg), ['10', '100']);
  assert.deepEqual(spamValues(['X-Spam-Flag: no'], cfg), ['1', '0']);
  assert.deepEqual(spamValues(['X-Spam-Flag: perhaps'], cfg), ['0', '0']);
});

test('§4 example 1: unclassified and spam-trap folders with :value and i;ascii-numeric', () => {
  const script = [
    'if spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "INBOX.unclassified"; }',
    'elsif spamtest :value "ge" :comparator "i;ascii-numeric" "3" { fileinto "INBOX.spam-trap"; }',
  ].join('\n');
  assert.deepEqual(folders(script, []), ['INBOX.unclassified']);
  assert.deepEqual(folders(script, ['X-Spam-Score: 7.3'], { spamtest: SCORE }), ['INBOX.spam-trap']);
  assert.deepEqual(folders(script, ['X-Spam-Score: 1'], { spamtest: SCORE }), []);
});

test('§4 example 2: :percent ranges', () => {
  const script = [
    'if spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "INBOX.unclassified"; }',
    'elsif spamtest :percent :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "INBOX.not-spam"; }',
    'elsif spamtest :percent :value "lt" :comparator "i;ascii-numeric" "37" { fileinto "INBOX.spam-trap"; }',
    'else { fileinto "INBOX.spam"; }',
  ].join('\n');
  assert.deepEqual(folders(script, ['X-Spam-Score: 0'], { spamtest: SCORE }), ['INBOX.not-spam']);
  assert.deepEqual(folders(script, ['X-Spam-Score: 3'], { spamtest: SCORE }), ['INBOX.spam-trap']);
  assert.deepEqual(folders(script, ['X-Spam-Score: 9'], { spamtest: SCORE }), ['INBOX.spam']);
});

test('the default comparator is i;ascii-casemap (RFC 5228 §2.7.3): "10" is not gt "9"', () => {
  const host = { spamtest: SCORE };
  assert.deepEqual(folders('if spamtest :value "gt" "9" { fileinto "gt"; }', ['X-Spam-Score: 15'], host), []);
  assert.deepEqual(
    folders(
      'if spamtest :value "gt" :comparator "i;ascii-numeric" "9" { fileinto "gt"; }',
      ['X-Spam-Score: 15'],
      host,
    ),
    ['gt'],
  );
  assert.deepEqual(folders('if spamtest "10" { fileinto "ten"; }', ['X-Spam-Score: 15'], host), ['ten']);
});

test('§3.3: virustest scales to 1–5; "0" when not tested', () => {
  const virustest: ScoreTestConfig = {
    header: 'X-Virus-Scan',
    format: {
      kind: 'text',
      map: [
        { pattern: 'clean', value: 1 },
        { pattern: 'infected', value: 5 },
      ],
    },
  };
  const script = 'if virustest :matches "*" { fileinto "v${1}"; }';
  assert.deepEqual(folders(script, ['X-Virus-Scan: Found to be clean.'], { virustest }), ['v1']);
  assert.deepEqual(folders(script, ['X-Virus-Scan: Found to be infected.'], { virustest }), ['v5']);
  assert.deepEqual(folders(script, []), ['v0']);
  const score: ScoreTestConfig = { header: 'X-Virus-Score', format: { kind: 'score', max: 10 } };
  assert.deepEqual(folders(script, ['X-Virus-Score: 10'], { virustest: score }), ['v5']);
  assert.deepEqual(folders(script, ['X-Virus-Score: 5'], { virustest: score }), ['v3']);
  // A text level above the virustest scale is not a verdict.
  const wide: ScoreTestConfig = {
    header: 'X-V',
    format: { kind: 'text', map: [{ pattern: '.', value: 9 }] },
  };
  assert.deepEqual(folders(script, ['X-V: x'], { virustest: wide }), ['v0']);
});

test('§3.2: :count counts the one value', () => {
  assert.deepEqual(
    folders('if spamtest :count "eq" :comparator "i;ascii-numeric" "1" { fileinto "one"; }', []),
    ['one'],
  );
});

test('§3.2.2: :percent needs spamtestplus; spamtestplus alone gives spamtest', () => {
  assert.deepEqual(errorCodes('require "spamtest"; if spamtest :percent "0" { keep; }'), [
    'spamtest.percent-needs-spamtestplus',
  ]);
  assert.deepEqual(errorCodes('require "spamtestplus"; if spamtest :percent "0" { keep; }'), []);
  assert.deepEqual(errorCodes('require "spamtest"; if spamtest "0" { keep; }'), []);
  assert.deepEqual(errorCodes('if spamtest "0" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes('require "spamtest"; if virustest "0" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes('require "virustest"; if virustest :percent "0" { keep; }'), [
    'argument.unknown-tag',
  ]);
  assert.deepEqual(errorCodes('require "spamtest"; if spamtest { keep; }'), ['argument.count']);
});

test('a pattern picks the value out of the header: its first group (or the whole match)', () => {
  // SpamAssassin writes the score and the threshold into one field; the pattern selects each.
  const cfg: ScoreTestConfig = {
    header: 'X-Spam-Check',
    pattern: 'score=(-?[0-9.]+)',
    format: { kind: 'score', max: { header: 'X-Spam-Check', pattern: 'required=(-?[0-9.]+)' } },
  };
  // Without the pattern the first number of the field (the "3" of "v3") would be read.
  const h = (s: string) => `X-Spam-Check: v3 No, score=${s} required=8.0`;
  assert.deepEqual(spamValues([h('2.0')], cfg), ['3', '25']);
  assert.deepEqual(spamValues([h('-1.0')], cfg), ['1', '0']);
  assert.deepEqual(spamValues([h('9.5')], cfg), ['10', '100']);
  // A field the pattern does not match is a message that was not tested.
  assert.deepEqual(spamValues(['X-Spam-Check: unparsable'], cfg), ['0', '0']);
  // No group: the whole match is the value.
  const whole: ScoreTestConfig = { header: 'X-S', pattern: '[0-9]+$', format: { kind: 'score', max: 10 } };
  assert.deepEqual(spamValues(['X-S: v2 at 5'], whole), ['5', '50']);
});

test('a pattern applies before a text mapping', () => {
  const cfg: ScoreTestConfig = {
    header: 'X-Virus',
    pattern: '^Found to be (.+)\\.$',
    format: {
      kind: 'text',
      map: [
        { pattern: '^clean$', value: 1 },
        { pattern: '^infected$', value: 10 },
      ],
    },
  };
  assert.deepEqual(spamValues(['X-Virus: Found to be infected.'], cfg), ['10', '100']);
  assert.deepEqual(spamValues(['X-Virus: Found to be clean.'], cfg), ['1', '0']);
  assert.deepEqual(spamValues(['X-Virus: clean'], cfg), ['0', '0']);
});

test('an invalid configured pattern is a run-time error', () => {
  const spamtest: ScoreTestConfig = { header: 'X-S', pattern: '(', format: { kind: 'score', max: 5 } };
  const r = run(program(`${REQ}if spamtest "3" { discard; }`), {
    message: parseMessage(new TextEncoder().encode(message(['X-S: 3']))),
    envelope: { from: 'a@example.org', to: 'b@example.com' },
    host: { spamtest },
  });
  assert.match(r.error?.message ?? '', /not a valid regular expression/);
});

test('length format: the number of characters is the score (SpamAssassin\'s "*****" level)', () => {
  const cfg: ScoreTestConfig = { header: 'X-Spam-Level', format: { kind: 'length', max: 8 } };
  assert.deepEqual(spamValues(['X-Spam-Level: '], cfg), ['1', '0']);
  assert.deepEqual(spamValues(['X-Spam-Level: **'], cfg), ['3', '25']);
  assert.deepEqual(spamValues(['X-Spam-Level: ********'], cfg), ['10', '100']);
  assert.deepEqual(spamValues(['X-Spam-Level: ************'], cfg), ['10', '100']);
  assert.deepEqual(spamValues([], cfg), ['0', '0']);
});
