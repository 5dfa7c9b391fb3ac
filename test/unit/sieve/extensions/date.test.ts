// RFC 5260 §4–5: the date and currentdate tests, with RFC 2822 date-time parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SieveHost } from '../../../../src/sieve/index.js';
import { errorCodes } from '../helpers.js';
import { hostActions, runWithHost, warningCodes } from './with-host.js';
import { datePart, parseDateTime } from '../../../../src/sieve/extensions/date/datetime.js';

const MESSAGE = [
  'Date: Mon, 1 Jan 2024 10:20:30 +0200',
  'Received: from a by b; Tue, 2 Jan 2024 23:59:59 -0500',
  'Received: from c by d; 3 Jan 24 01:02 EST',
  'X-Bad: Mon, 30 Feb 2024 10:00:00 +0000',
  'Subject: dates',
  '',
  'body',
  '',
].join('\r\n');

/** Whether `test` is true for MESSAGE. */
function when(t: string, host: SieveHost = {}, message = MESSAGE): boolean {
  const src = `require ["date", "fileinto", "relational", "variables", "comparator-i;ascii-numeric"];\nif ${t} { fileinto "yes"; }\n`;
  return hostActions(src, host, message).some((a) => a.type === 'fileinto' && a.mailbox === 'yes');
}

test('§4: date needs require "date"; header name, date part and key list', () => {
  assert.deepEqual(errorCodes('if date "date" "year" "2024" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes('require "date"; if date "date" "year" { keep; }'), ['argument.count']);
  assert.deepEqual(errorCodes('require "date"; if currentdate :originalzone "year" "2024" { keep; }'), [
    'argument.unknown-tag',
  ]);
  assert.deepEqual(
    errorCodes('require "date"; if date :zone "+0100" :originalzone "date" "year" "2024" { keep; }'),
    ['argument.duplicate-group'],
  );
});

test('§4.2: an unknown date part is a warning and the test is false; names are case-insensitive', () => {
  assert.deepEqual(warningCodes('require "date"; if date "date" "yaer" "2024" { keep; }'), [
    'date.unknown-part',
  ]);
  assert.deepEqual(warningCodes('require "date"; if currentdate "fortnight" "1" { keep; }'), [
    'date.unknown-part',
  ]);
  assert.equal(when('date :originalzone "date" "yaer" "2024"'), false);
  assert.equal(when('date :originalzone "date" "YEAR" "2024"'), true);
  const r = runWithHost(
    'require ["date", "variables"]; set "p" "yaer"; if date :matches "date" "${p}" "*" { discard; }',
    {},
    MESSAGE,
  );
  assert.equal(r.error, null);
  assert.deepEqual(r.actions, [{ type: 'keep', flags: [] }]);
});

test('§4.1: :zone must be "+hhmm" or "-hhmm"', () => {
  for (const z of ['0100', '+1', '+01:00', 'CET', '+0160']) {
    assert.deepEqual(
      errorCodes(`require "date"; if date :zone "${z}" "date" "year" "2024" { keep; }`),
      ['date.invalid-zone'],
      z,
    );
  }
  const r = runWithHost(
    'require ["date", "variables"]; set "z" "bogus"; if date :zone "${z}" "date" "year" "2024" { discard; }',
    {},
    MESSAGE,
  );
  assert.match(r.error?.message ?? '', /invalid time zone "bogus"/);
});

test('§4.2: every date part, in the original zone', () => {
  const parts: Record<string, string> = {
    year: '2024',
    month: '01',
    day: '01',
    date: '2024-01-01',
    julian: '60310',
    hour: '10',
    minute: '20',
    second: '30',
    time: '10:20:30',
    iso8601: '2024-01-01T10:20:30+02:00',
    std11: 'Mon, 01 Jan 2024 10:20:30 +0200',
    zone: '+0200',
    weekday: '1',
  };
  for (const [part, value] of Object.entries(parts)) {
    assert.equal(when(`date :originalzone "date" "${part}" "${value}"`), true, part);
    assert.equal(when(`date :originalzone "date" "${part}" "x${value}"`), false, part);
  }
});

test('§4.1: without :zone the value is shifted to the local zone (host.timeZoneOffset, default UTC)', () => {
  assert.equal(when('date "date" "time" "08:20:30"'), true);
  assert.equal(when('date "date" "iso8601" "2024-01-01T08:20:30Z"'), true);
  assert.equal(when('date "date" "zone" "+0000"'), true);
  const host: SieveHost = { timeZoneOffset: () => -330 };
  assert.equal(when('date "date" "time" "02:50:30"', host), true);
  assert.equal(when('date "date" "zone" "-0530"', host), true);
  // Crossing midnight changes the date and weekday too.
  assert.equal(when('date :zone "-1100" "date" "date" "2023-12-31"'), true);
  assert.equal(when('date :zone "-1100" "date" "weekday" "0"'), true);
  assert.equal(when('date :zone "-1100" "date" "julian" "60309"'), true);
});

test('§4: the first field is used, the date after the last ";" (Received)', () => {
  assert.equal(when('date :originalzone "received" "date" "2024-01-02"'), true);
  assert.equal(when('date :originalzone "received" "date" "2024-01-03"'), false);
});

test('§4: a missing field or an invalid date-time fails the test', () => {
  assert.equal(when('date :contains "x-none" "year" ""'), false);
  assert.equal(when('date :contains "subject" "year" ""'), false);
  // February 30th does not exist (RFC 5260 §4: invalid according to the calendar).
  assert.equal(when('date :contains "x-bad" "year" ""'), false);
  assert.equal(when('date :count "eq" :comparator "i;ascii-numeric" "x-bad" "year" "0"'), true);
});

test('§4.3: ordering comparisons through relational and i;ascii-numeric', () => {
  assert.equal(when('date :value "ge" :originalzone "date" "date" "2023-12-31"'), true);
  assert.equal(when('date :value "lt" :comparator "i;ascii-numeric" :originalzone "date" "hour" "9"'), false);
});

test('§4.4 example: a date with :matches sets match variables', () => {
  const src =
    'require ["date", "variables", "fileinto"];\n' +
    'if date :matches :originalzone "date" "date" "*-*-*" { fileinto "${1}/${2}"; }';
  assert.deepEqual(hostActions(src, {}, MESSAGE)[0], {
    type: 'fileinto',
    mailbox: '2024/01',
    flags: [],
    copy: false,
    create: false,
  });
});

test('§5: currentdate reads the host clock, once per run', () => {
  let calls = 0;
  const host: SieveHost = {
    now: () => {
      calls++;
      return Date.UTC(2025, 6, 14, 23, 30, 0);
    },
  };
  assert.equal(when('allof(currentdate "date" "2025-07-14", currentdate "hour" "23")', host), true);
  assert.equal(calls, 1);
  assert.equal(when('currentdate :zone "+0100" "date" "2025-07-15"', host), true);
  assert.equal(when('currentdate "zone" "+0200"', { ...host, timeZoneOffset: () => 120 }), true);
  // Without a clock, Date.now().
  assert.equal(when(`currentdate "year" "${new Date().getUTCFullYear()}"`), true);
});

test('RFC 2822 §3.3, §4.3: date-time syntax, obsolete forms included', () => {
  const iso = (s: string): string | null => {
    const d = parseDateTime(s);
    return d && datePart('iso8601', d.time, d.zone);
  };
  assert.equal(iso('Mon, 1 Jan 2024 10:20:30 +0200'), '2024-01-01T10:20:30+02:00');
  assert.equal(iso('1 Jan 2024 10:20 +0000'), '2024-01-01T10:20:00Z'); // no weekday, no seconds
  assert.equal(iso('Fri, 5 Jul 24 10:20:30 GMT'), '2024-07-05T10:20:30Z'); // two-digit year
  assert.equal(iso('Fri, 5 Jul 99 10:20:30 PDT'), '1999-07-05T10:20:30-07:00');
  assert.equal(iso('5 Jul 102 10:20:30 EST'), '2002-07-05T10:20:30-05:00'); // three-digit year
  assert.equal(iso('Fri (comment), 5 (x (nested)) Jul 2024 10:20:30 +0000 (UTC)'), '2024-07-05T10:20:30Z');
  assert.equal(iso('5 Jul 2024 10:20:30 XYZ'), '2024-07-05T10:20:30Z'); // unknown zone: -0000
  assert.equal(iso('5 Jul 2024 10:20:30 A'), '2024-07-05T10:20:30Z'); // military zone: -0000
  assert.equal(iso('29 Feb 2024 00:00:00 +0000'), '2024-02-29T00:00:00Z');
  for (const bad of [
    '',
    'yesterday',
    '29 Feb 2023 00:00:00 +0000',
    '1 Foo 2024 10:00 +0000',
    '1 Jan 2024 24:00 +0000',
    '1 Jan 1899 10:00 +0000',
    'Xyz, 1 Jan 2024 10:00 +0000',
    '1 Jan 2024 10:00 +02',
    '1 Jan 2024 10:00:00 (open',
  ]) {
    assert.equal(parseDateTime(bad), null, bad);
  }
});
