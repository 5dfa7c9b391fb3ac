// RFC 8580 §3 on the real vacation (RFC 5230) and notify (RFC 5435) commands: every companion of
// :fcc (:create, :flags, :specialuse, :mailboxid) is an error without it, and the companions'
// values are checked whether :fcc is there or not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../../../src/sieve/index.js';
import { actions, errorCodes, errors } from '../helpers.js';

test('§3: :specialuse and :mailboxid on vacation and notify need :fcc', () => {
  assert.deepEqual(
    errorCodes('require ["vacation", "fcc", "special-use"];\nvacation :specialuse "\\\\Sent" "away";'),
    ['fcc.missing'],
  );
  assert.deepEqual(
    errorCodes('require ["vacation", "fcc", "mailboxid"];\nvacation :mailboxid "F1" "away";'),
    ['fcc.missing'],
  );
  assert.deepEqual(
    errorCodes(
      'require ["enotify", "fcc", "special-use"];\nnotify :specialuse "\\\\Sent" "mailto:a@example.com";',
    ),
    ['fcc.missing'],
  );
  assert.deepEqual(
    errorCodes('require ["enotify", "fcc", "mailboxid"];\nnotify :mailboxid "F1" "mailto:a@example.com";'),
    ['fcc.missing'],
  );
});

test('§3: the message is the one :create and :flags without :fcc get', () => {
  const [e] = errors('require ["vacation", "fcc", "special-use"];\nvacation :specialuse "\\\\Sent" "away";');
  assert.equal(e?.message, 'vacation: :specialuse can only be used together with :fcc (RFC 8580 §3)');
  assert.equal(e?.line, 2);
  const [c] = errors('require ["vacation", "fcc", "mailbox"];\nvacation :create "away";');
  assert.equal(c?.message, 'vacation: :create can only be used together with :fcc (RFC 8580 §3)');
});

test('RFC 8579 §4: an invalid special-use flag is checked with and without :fcc', () => {
  assert.deepEqual(
    errorCodes(
      'require ["vacation", "fcc", "special-use"];\nvacation :fcc "Sent" :specialuse "Sent" "away";',
    ),
    ['special-use.invalid-flag'],
  );
  assert.deepEqual(
    errorCodes('require ["vacation", "fcc", "special-use"];\nvacation :specialuse "Sent" "away";').sort(),
    ['fcc.missing', 'special-use.invalid-flag'],
  );
});

test('each mistake is reported once, with several companions', () => {
  assert.deepEqual(
    errorCodes(
      'require ["vacation", "fcc", "special-use", "mailboxid", "mailbox"];\n' +
        'vacation :fcc "" :create :specialuse "\\\\Sent" :mailboxid "F1" "away";',
    ),
    ['fcc.empty-mailbox'],
  );
});

test('RFC 9042 §4.3, RFC 8579: the real commands file the copy by id, then special-use, then name', () => {
  const acts = actions(
    'require ["vacation", "fcc", "special-use", "mailboxid", "mailbox"];\n' +
      'vacation :fcc "Sent" :create :specialuse "\\\\Sent" :mailboxid "F1" "away";',
  );
  const vacation = acts.find((a) => a.type === 'vacation');
  assert.deepEqual(vacation?.fcc, {
    mailbox: 'Sent',
    create: true,
    flags: [],
    specialuse: '\\Sent',
    mailboxid: 'F1',
  });
});

test('RFC 8580 §3 with RFC 5232 §3: an invalid flag in :flags is warned about and ignored', () => {
  const source =
    'require ["vacation", "fcc", "imap4flags"];\nvacation :fcc "Sent" :flags ["\\\\Bogus \\\\seen", "$Done"] "away";';
  const warnings = compile(source).diagnostics.filter((d) => d.severity === 'warning');
  assert.deepEqual(
    warnings.map((d) => d.code),
    ['imap4flags.invalid-flag'],
  );
  const vacation = actions(source).find((a) => a.type === 'vacation');
  assert.deepEqual((vacation?.fcc as { flags: string[] } | undefined)?.flags, ['$Done', '\\Seen']);
});
