// RFC 5230 (vacation) and RFC 6131 (vacation-seconds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseMessage,
  run,
  type ActionJson,
  type ActionJsonTypes,
  type Envelope,
  type ExpiringMemory,
  type RunResult,
  type SieveHost,
} from '../../../../src/sieve/index.js';
import { DEFAULT_MESSAGE, errorCodes, program } from '../helpers.js';
import { warningCodes } from './with-host.js';

type Vacation = ActionJsonTypes['vacation'];
const ENV: Envelope = { from: 'sender@example.com', to: 'bob@example.org' };
const R = 'require "vacation";\n';

function runVacation(
  source: string,
  opts: { message?: string; envelope?: Envelope; host?: SieveHost } = {},
): RunResult {
  return run(program(source), {
    message: parseMessage(new TextEncoder().encode(opts.message ?? DEFAULT_MESSAGE)),
    envelope: opts.envelope ?? ENV,
    host: opts.host ?? {},
  });
}

/** The vacation action of a run that must succeed, or null when no response is due. */
function reply(source: string, opts: Parameters<typeof runVacation>[1] = {}): Vacation | null {
  const r = runVacation(source, opts);
  if (r.error) throw new Error(`run-time error: ${r.error.message}`);
  const v = r.actions.find((a): a is ActionJson & { type: 'vacation' } => a.type === 'vacation');
  return v ?? null;
}

/** DEFAULT_MESSAGE with extra header lines. */
const withHeaders = (...lines: string[]): string => [...lines, DEFAULT_MESSAGE].join('\r\n');

test('§4: a response to the envelope sender, with the default subject "Auto: " and the implicit keep', () => {
  const r = runVacation(`${R}vacation "I am away.";`);
  assert.equal(r.error, null);
  const v = r.actions[0] as ActionJson & { type: 'vacation' };
  assert.equal(v.type, 'vacation');
  assert.equal(v.to, 'sender@example.com');
  assert.equal(v.subject, 'Auto: Hello World');
  assert.equal(v.reason, 'I am away.');
  assert.equal(v.from, 'bob@example.org');
  assert.equal(v.mime, false);
  assert.equal(v.seconds, 7 * 86400);
  // §4.7: vacation does not cancel the implicit keep.
  assert.deepEqual(r.actions[1], { type: 'keep', flags: [] });
  assert.equal(r.implicitKeep, true);
});

test('§4.5: "Auto:" is added to the original subject, never "Re:"; no subject gives a neutral one', () => {
  assert.equal(reply(`${R}vacation "x";`)?.subject, 'Auto: Hello World');
  const noSubject = DEFAULT_MESSAGE.replace('Subject: Hello World\r\n', '');
  assert.equal(reply(`${R}vacation "x";`, { message: noSubject })?.subject, 'Automated reply');
  assert.equal(reply(`${R}vacation :subject "Away" "x";`)?.subject, 'Away');
});

test('§4.1: :days in days, clamped to the policy; the default period comes from the policy', () => {
  assert.equal(reply(`${R}vacation :days 3 "x";`)?.seconds, 3 * 86400);
  assert.equal(reply(`${R}vacation :days 365 "x";`)?.seconds, 60 * 86400);
  assert.equal(reply(`${R}vacation :days 0 "x";`)?.seconds, 86400);
  const host: SieveHost = { vacationPolicy: { minPeriod: 3600, defaultPeriod: 7200, maxPeriod: 10 * 86400 } };
  assert.equal(reply(`${R}vacation "x";`, { host })?.seconds, 7200);
  assert.equal(reply(`${R}vacation :days 30 "x";`, { host })?.seconds, 10 * 86400);
  assert.deepEqual(warningCodes(`${R}vacation :days 0 "x";`), ['vacation.days-zero']);
});

test('RFC 6131 §2: :seconds needs vacation-seconds, which implies vacation; :seconds 0 always replies', () => {
  assert.deepEqual(errorCodes(`${R}vacation :seconds 60 "x";`), ['require.missing']);
  const S = 'require "vacation-seconds";\n';
  // The default policy's minimum (1 day) applies to :seconds too; a site may lower it.
  assert.equal(reply(`${S}vacation :seconds 7200 "x";`)?.seconds, 86400);
  const host: SieveHost = { vacationPolicy: { minPeriod: 60, defaultPeriod: 86400, maxPeriod: 86400 } };
  assert.equal(reply(`${S}vacation :seconds 7200 "x";`, { host })?.seconds, 7200);
  assert.equal(reply(`${S}vacation :seconds 10 "x";`, { host })?.seconds, 60);
  // :seconds 0: every message is answered, even when the memory has the sender.
  const memory: ExpiringMemory = { has: () => true, mark: () => {} };
  assert.equal(reply(`${S}vacation :seconds 0 "x";`, { host: { vacationMemory: memory } })?.seconds, 0);
  // "Only one of :days and :seconds is allowed".
  assert.deepEqual(errorCodes(`${S}vacation :days 1 :seconds 60 "x";`), ['argument.duplicate-group']);
  assert.deepEqual(errorCodes(`${S}vacation :seconds 2147483648 "x";`), ['vacation.seconds-range']);
});

test('§4.5 / RFC 3834 §2: no response to automatic mail, lists, bulk precedence or system senders', () => {
  const none = (message: string) => reply(`${R}vacation "x";`, { message });
  assert.equal(none(withHeaders('Auto-Submitted: auto-replied')), null);
  assert.equal(none(withHeaders('Auto-Submitted: auto-generated; owner=x')), null);
  assert.notEqual(none(withHeaders('Auto-Submitted: no')), null);
  assert.notEqual(none(withHeaders('Auto-Submitted: No (comment)')), null);
  assert.equal(none(withHeaders('List-Id: <list.example.org>')), null);
  assert.equal(none(withHeaders('List-Unsubscribe: <mailto:x@example.org>')), null);
  for (const p of ['bulk', 'list', 'junk', 'Bulk'])
    assert.equal(none(withHeaders(`Precedence: ${p}`)), null, p);
  assert.notEqual(none(withHeaders('Precedence: first-class')), null);
  for (const from of [
    'MAILER-DAEMON@example.com',
    'owner-list@example.com',
    'list-request@example.com',
    'LISTSERV@example.com',
    'majordomo@example.com',
  ]) {
    assert.equal(reply(`${R}vacation "x";`, { envelope: { from, to: 'bob@example.org' } }), null, from);
  }
  assert.equal(reply(`${R}vacation "x";`, { envelope: { from: null, to: 'bob@example.org' } }), null);
  assert.equal(reply(`${R}vacation "x";`, { envelope: { from: '', to: 'bob@example.org' } }), null);
  // The user writing to themselves.
  assert.equal(
    reply(`${R}vacation "x";`, { envelope: { from: 'BOB@example.org', to: 'bob@example.org' } }),
    null,
  );
});

test("§4.5: the user's address must be in To, Cc, Bcc or Resent-*; :addresses and host addresses count", () => {
  const elsewhere = { from: 'sender@example.com', to: 'zed@example.org' };
  assert.equal(reply(`${R}vacation "x";`, { envelope: elsewhere }), null);
  const v = reply(`${R}vacation :addresses ["carol@example.net"] "x";`, { envelope: elsewhere });
  // The reply comes from the address the message was sent to.
  assert.equal(v?.from, 'carol@example.net');
  assert.equal(
    reply(`${R}vacation "x";`, { envelope: elsewhere, host: { userAddresses: ['Carol@Example.NET'] } })?.from,
    'carol@example.net',
  );
  const resent = withHeaders('Resent-To: zed@example.org').replace(
    'To: bob@example.org, "Carol" <carol@example.net>\r\n',
    'To: list@example.org\r\n',
  );
  assert.notEqual(reply(`${R}vacation "x";`, { envelope: elsewhere, message: resent }), null);
  assert.equal(reply(`${R}vacation :from "me@example.org" "x";`)?.from, 'me@example.org');
});

test('policy: the default subject and its template, for messages with and without a subject', () => {
  const P = { minPeriod: 86400, defaultPeriod: 7 * 86400, maxPeriod: 30 * 86400 };
  const noSubject = DEFAULT_MESSAGE.replace('Subject: Hello World\r\n', '');
  const host: SieveHost = { vacationPolicy: { ...P, defaultSubject: 'Something colorful' } };
  assert.equal(reply(`${R}vacation "x";`, { message: noSubject, host })?.subject, 'Something colorful');
  // The default subject is for messages without one; others still get "Auto: ".
  assert.equal(reply(`${R}vacation "x";`, { host })?.subject, 'Auto: Hello World');
  const templated = (subjectTemplate: string) =>
    reply(`${R}vacation "x";`, { host: { vacationPolicy: { ...P, subjectTemplate } } })?.subject;
  assert.equal(templated('Automatisch bericht: %$'), 'Automatisch bericht: Hello World');
  assert.equal(templated('Automatisch bericht: %{subject}'), 'Automatisch bericht: Hello World');
  assert.equal(templated('100%% away: %$'), '100% away: Hello World');
  // :subject still wins.
  const both: SieveHost = { vacationPolicy: { ...P, subjectTemplate: 'T %$', defaultSubject: 'D' } };
  assert.equal(reply(`${R}vacation :subject "Away" "x";`, { host: both })?.subject, 'Away');
});

test('policy: whether the original recipient is the user, and answering without the recipient check', () => {
  const P = { minPeriod: 86400, defaultPeriod: 7 * 86400, maxPeriod: 30 * 86400 };
  const toAll = DEFAULT_MESSAGE.replace(
    'To: bob@example.org, "Carol" <carol@example.net>',
    'To: all@example.org',
  );
  const envelope: Envelope = {
    from: 'sender@example.com',
    to: 'bob@example.org',
    originalTo: 'all@example.org',
  };
  // By default the original recipient (RFC 3461 ORCPT) is one of the user's addresses.
  assert.equal(reply(`${R}vacation "x";`, { message: toAll, envelope })?.from, 'all@example.org');
  const strict: SieveHost = { vacationPolicy: { ...P, useOriginalRecipient: false } };
  assert.equal(reply(`${R}vacation "x";`, { message: toAll, envelope, host: strict }), null);
  // dontCheckRecipient: a response though no address of the user's is among the recipients,
  // from the envelope recipient.
  const any: SieveHost = { vacationPolicy: { ...P, useOriginalRecipient: false, dontCheckRecipient: true } };
  assert.equal(reply(`${R}vacation "x";`, { message: toAll, envelope, host: any })?.from, 'bob@example.org');
  // The other checks stay.
  assert.equal(
    reply(`${R}vacation "x";`, { message: withHeaders('Precedence: bulk'), envelope, host: any }),
    null,
  );
});

test('§4.2: the response memory is keyed by sender and handle; the default handle follows the text', () => {
  const seen = new Set<string>();
  const memory: ExpiringMemory = { has: (k) => seen.has(k), mark: (k) => void seen.add(k) };
  const host: SieveHost = { vacationMemory: memory, now: () => 0 };
  const first = reply(`${R}vacation "away";`, { host })!;
  memory.mark(first.memoryKey, first.seconds, 0); // delivery marks once it has sent the reply
  assert.equal(reply(`${R}vacation "away";`, { host }), null);
  // Another text is another response (a new default handle) ...
  assert.notEqual(reply(`${R}vacation "back on Monday";`, { host }), null);
  assert.notEqual(reply(`${R}vacation :subject "Away" "away";`, { host }), null);
  // ... unless the handle is given.
  const h1 = reply(`${R}vacation :handle "h" "away";`, { host })!;
  memory.mark(h1.memoryKey, h1.seconds, 0);
  assert.equal(reply(`${R}vacation :handle "h" "other text";`, { host }), null);
  assert.equal(h1.handle, 'h');
  // Another sender gets a response.
  assert.notEqual(
    reply(`${R}vacation "away";`, { host, envelope: { from: 'other@example.com', to: 'bob@example.org' } }),
    null,
  );
});

test('§4.6: In-Reply-To and References come from the original message', () => {
  const m = withHeaders('Message-ID: <m1@example.com>', 'References: <m0@example.com>');
  const v = reply(`${R}vacation "x";`, { message: m })!;
  assert.equal(v.inReplyTo, '<m1@example.com>');
  assert.equal(v.references, '<m0@example.com> <m1@example.com>');
  const plain = reply(`${R}vacation "x";`)!;
  assert.equal(plain.inReplyTo, null);
  assert.equal(plain.references, null);
  assert.equal(reply(`${R}vacation :mime "Content-Type: text/plain\r\n\r\nx";`)?.mime, true);
});

test('§4.7: a second vacation is a run-time error; vacation and reject exclude each other', () => {
  const twice = runVacation(`${R}vacation "a"; vacation "b";`);
  assert.equal(twice.error?.kind, 'runtime');
  assert.match(twice.error.message, /only one vacation/);
  // Also when the first one sends nothing.
  const silent = runVacation(`${R}vacation "a"; vacation "b";`, {
    envelope: { from: null, to: 'bob@example.org' },
  });
  assert.equal(silent.error?.kind, 'runtime');
  const after = runVacation('require ["vacation", "reject"]; reject "no"; vacation "x";');
  assert.match(after.error?.message ?? '', /rejected/);
  const before = runVacation('require ["vacation", "reject"]; vacation "x"; reject "no";');
  assert.match(before.error?.message ?? '', /vacation/);
});

test('compile-time checks: invalid :from and :addresses', () => {
  assert.deepEqual(errorCodes(`${R}vacation :from "not an address" "x";`), ['vacation.invalid-from']);
  assert.deepEqual(errorCodes(`${R}vacation :addresses ["ok@example.org", "bad"] "x";`), [
    'vacation.invalid-address',
  ]);
  assert.deepEqual(errorCodes('vacation "x";'), ['require.missing']);
});

test('X-Auto-Response-Suppress (Microsoft) asking for no out-of-office replies is honoured', () => {
  const none = (message: string) => reply(`${R}vacation "x";`, { message });
  // "All" and "OOF" (alone or in a list) suppress out-of-office replies; other values do not.
  assert.equal(none(withHeaders('X-Auto-Response-Suppress: All')), null);
  assert.equal(none(withHeaders('X-Auto-Response-Suppress: OOF')), null);
  assert.equal(none(withHeaders('X-Auto-Response-Suppress: DR, oof, RN')), null);
  assert.notEqual(none(withHeaders('X-Auto-Response-Suppress: DR, RN')), null);
  assert.notEqual(none(withHeaders('X-Auto-Response-Suppress: None')), null);
});
