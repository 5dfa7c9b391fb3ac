// The messages sievert sends on a script's behalf (src/sieve/outgoing.ts): redirected copies,
// vacation responses (RFC 5230, RFC 3834) and mailto notifications (RFC 5436).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, type ActionJsonTypes } from '../../../src/sieve/index.js';
import {
  editedMessage,
  isRedirectLoop,
  notifyMessages,
  redirectedMessage,
  redirectSender,
  vacationResponse,
} from '../../../src/sieve/outgoing.js';
import { parseMailto } from '../../../src/sieve/extensions/enotify/mailto.js';
import { actions } from './helpers.js';

const enc = new TextEncoder();
const msg = (lines: string[]) => parseMessage(enc.encode([...lines, '', 'body', ''].join('\r\n')));

/** The unfolded value of the first field `name` in a built message, or null. */
function field(raw: string, name: string): string | null {
  const head = raw.split('\r\n\r\n', 1)[0]!.replace(/\r\n[ \t]/g, ' ');
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (line.slice(0, colon).toLowerCase() === name.toLowerCase()) return line.slice(colon + 1).trim();
  }
  return null;
}

const OPTS = { userAddress: 'me@example.org', postmaster: 'postmaster@example.org', date: new Date(0) };

test('redirect: RFC 5228 §4.2 loop control with a trace field naming the user', () => {
  const raw = 'From: a@example.net\r\nSubject: s\r\n\r\nhi\r\n';
  const out = redirectedMessage(raw, 'Me@Example.org');
  assert.equal(field(out, 'X-Sieve-Redirected-From'), 'Me@Example.org');
  assert.ok(out.endsWith('Subject: s\r\n\r\nhi\r\n'));
  // A message that already passed through this user is a loop (any of several such fields).
  const looped = msg([
    'X-Sieve-Redirected-From: other@example.com',
    'X-Sieve-Redirected-From: me@example.ORG',
  ]);
  assert.equal(isRedirectLoop(looped, ['me@example.org']), true);
  assert.equal(isRedirectLoop(looped, ['you@example.org']), false);
  assert.equal(isRedirectLoop(msg(['Subject: x']), ['me@example.org']), false);
});

test('redirect: the envelope sender follows the setting, but a null sender stays null', () => {
  const env = { from: 's@example.net', to: 'me@example.org', originalTo: 'alias@example.org' };
  assert.equal(redirectSender(env, undefined, OPTS), 's@example.net');
  assert.equal(redirectSender(env, ' recipient ', OPTS), 'me@example.org');
  assert.equal(redirectSender(env, 'orig_recipient', OPTS), 'alias@example.org');
  assert.equal(redirectSender(env, 'user_email', OPTS), 'me@example.org');
  assert.equal(redirectSender(env, 'postmaster', OPTS), 'postmaster@example.org');
  assert.equal(redirectSender(env, '<bounce@example.org> ', OPTS), 'bounce@example.org');
  assert.equal(redirectSender(env, '<>', OPTS), null);
  // Bounces must not be turned into mail that can bounce back (RFC 5321 §4.5.5).
  assert.equal(redirectSender({ ...env, from: null }, '<bounce@example.org>', OPTS), null);
});

function vacationAction(over: Partial<ActionJsonTypes['vacation']> = {}): ActionJsonTypes['vacation'] {
  return {
    to: 'h.j@example.org',
    from: 'me@example.org',
    subject: 'Auto: hello',
    reason: 'I am away.',
    mime: false,
    handle: 'h',
    seconds: 86400,
    inReplyTo: '<2@example.org>',
    references: '<1@example.org> <2@example.org>',
    memoryKey: 'k',
    ...over,
  };
}

test('vacation: RFC 3834 §3.1 fields, RFC 5230 §5 null envelope sender, reply to the sender', () => {
  const original = msg([
    'From: "Stephan" <stephan@example.org>',
    'Sender: "Hendrik-Jan" <H.J@example.org>',
    'Message-ID: <2@example.org>',
  ]);
  const out = vacationResponse(
    vacationAction(),
    original,
    { from: 'h.j@example.org', to: 'me@example.org' },
    OPTS,
  );
  assert.equal(out.from, null);
  assert.equal(out.to, 'h.j@example.org');
  // The To field shows the matching field of the original, display name included.
  assert.equal(field(out.raw, 'To'), '"Hendrik-Jan" <H.J@example.org>');
  assert.equal(field(out.raw, 'From'), 'me@example.org');
  assert.equal(field(out.raw, 'Subject'), 'Auto: hello');
  assert.equal(field(out.raw, 'In-Reply-To'), '<2@example.org>');
  assert.equal(field(out.raw, 'References'), '<1@example.org> <2@example.org>');
  assert.equal(field(out.raw, 'Auto-Submitted'), 'auto-replied');
  assert.match(field(out.raw, 'Content-Type') ?? '', /^text\/plain; charset=utf-8/i);
  assert.ok(out.raw.endsWith('\r\n\r\nI am away.\r\n'));
  // A sender that no field names is written as a bare address.
  const other = vacationResponse(
    vacationAction({ to: 'x@example.net' }),
    original,
    { from: 'x@example.net', to: 'me@example.org' },
    OPTS,
  );
  assert.equal(field(other.raw, 'To'), '<x@example.net>');
  // Sites may send from the recipient instead of the null sender.
  const fromRecipient = vacationResponse(
    vacationAction(),
    original,
    { from: 'h.j@example.org', to: 'me@example.org' },
    {
      ...OPTS,
      sendFromRecipient: true,
    },
  );
  assert.equal(fromRecipient.from, 'me@example.org');
});

test('vacation: an overlong subject is cut at a character limit and ends with an ellipsis', () => {
  const long = 'Auto: ' + 'word '.repeat(100);
  const out = vacationResponse(
    vacationAction({ subject: long }),
    msg([]),
    { from: 'a@b.c', to: 'me@example.org' },
    {
      ...OPTS,
      maxSubjectChars: 20,
    },
  );
  // The ellipsis makes the field non-ASCII: read it decoded.
  const subject = parseMessage(enc.encode(out.raw)).headers('subject')[0];
  assert.equal(subject, 'Auto: word word word\u2026');
  // Non-ASCII subjects are RFC 2047 encoded.
  const jp = vacationResponse(
    vacationAction({ subject: 'Auto: 日本語' }),
    msg([]),
    { from: 'a@b.c', to: 'me@example.org' },
    OPTS,
  );
  assert.match(field(jp.raw, 'Subject')!, /^Auto: =\?UTF-8\?B\?/);
});

test('vacation :mime: the reason is the MIME entity of the response', () => {
  const out = vacationResponse(
    vacationAction({ mime: true, reason: 'Content-Type: text/html\r\n\r\n<p>away</p>' }),
    msg([]),
    { from: 'a@b.c', to: 'me@example.org' },
    OPTS,
  );
  assert.equal(field(out.raw, 'Content-Type'), 'text/html');
  assert.equal(field(out.raw, 'MIME-Version'), '1.0');
  assert.ok(out.raw.endsWith('\r\n\r\n<p>away</p>\r\n'));
});

function notifyAction(uri: string, over: Partial<ActionJsonTypes['notify']> = {}): ActionJsonTypes['notify'] {
  const mailto = parseMailto(uri.slice('mailto:'.length));
  if ('error' in mailto) throw new Error(mailto.error);
  return { method: uri, from: null, importance: '2', options: [], message: null, mailto, ...over };
}

test('notify mailto (RFC 5436): one message per recipient, To and Cc fields, Auto-Submitted', () => {
  const original = msg(['From: a@example.net', 'Subject: Frop']);
  const env = { from: 's@example.net', to: 'me@example.org' };
  const out = notifyMessages(
    notifyAction('mailto:t@example.com,u@example.net?cc=c@example.org&subject=Got%20it'),
    original,
    env,
    OPTS,
  );
  assert.deepEqual(
    out.map((m) => m.to),
    ['t@example.com', 'u@example.net', 'c@example.org'],
  );
  const first = out[0]!.raw;
  assert.equal(field(first, 'To'), 't@example.com, u@example.net');
  assert.equal(field(first, 'Cc'), 'c@example.org');
  assert.equal(field(first, 'Subject'), 'Got it');
  assert.equal(field(first, 'Auto-Submitted'), 'auto-notified'); // RFC 5436 §2.7
  assert.equal(field(first, 'From'), 'postmaster@example.org');
  assert.ok(field(first, 'X-Sieve'));
  assert.match(field(first, 'X-Priority') ?? '', /^3/);
  assert.equal(field(first, 'Importance'), 'normal');
  // The envelope sender: the postmaster, :from when given, and null for a null-sender message.
  assert.equal(out[0]!.from, 'postmaster@example.org');
  const withFrom = notifyMessages(
    notifyAction('mailto:t@example.com', { from: 'me@example.org' }),
    original,
    env,
    OPTS,
  );
  assert.equal(withFrom[0]!.from, 'me@example.org');
  assert.equal(field(withFrom[0]!.raw, 'From'), 'me@example.org');
  const fromNull = notifyMessages(
    notifyAction('mailto:t@example.com', { from: 'me@example.org' }),
    original,
    { ...env, from: null },
    OPTS,
  );
  assert.equal(fromNull[0]!.from, null);
  // A configured envelope sender replaces the default.
  const configured = notifyMessages(notifyAction('mailto:t@example.com'), original, env, {
    ...OPTS,
    envelopeFrom: 'x@example.org',
  });
  assert.equal(configured[0]!.from, 'x@example.org');
});

test('notify mailto: RFC 5436 §2.7, no notification about an auto-submitted message', () => {
  const auto = msg(['From: a@example.net', 'Auto-Submitted: auto-generated']);
  assert.deepEqual(
    notifyMessages(notifyAction('mailto:t@example.com'), auto, { from: 's@x.y', to: 'me@example.org' }, OPTS),
    [],
  );
  const no = msg(['From: a@example.net', 'Auto-Submitted: no']);
  assert.equal(
    notifyMessages(notifyAction('mailto:t@example.com'), no, { from: 's@x.y', to: 'me@example.org' }, OPTS)
      .length,
    1,
  );
});

test('notify mailto: a "to" field may name the recipient with a display name', () => {
  const uri = 'mailto:?to=%3D%3Futf-8%3Fq%3FG%3DC3%3DBCnther%3F%3D%20Karotte%20%3Cg.k%40example.com%3E';
  const out = notifyMessages(notifyAction(uri), msg([]), { from: 's@x.y', to: 'me@example.org' }, OPTS);
  assert.equal(out[0]!.to, 'g.k@example.com');
  assert.equal(field(out[0]!.raw, 'To'), '=?utf-8?q?G=C3=BCnther?= Karotte <g.k@example.com>');
});

test('the message the actions carry: every edit when stored, no enclose when redirected (RFC 5703 §6)', () => {
  const bytes = enc.encode('From: a@example.net\r\nSubject: s\r\n\r\nhi\r\n');
  const dec = new TextDecoder();
  // No edits: the octets as given, for both.
  const plain = editedMessage(bytes, actions('keep;'));
  assert.equal(plain.stored, bytes);
  assert.equal(plain.redirected, bytes);
  // Header edits only: one edited copy serves both.
  const headers = editedMessage(bytes, actions('require "editheader";\naddheader "X-Edited" "yes";'));
  assert.match(dec.decode(headers.stored), /^X-Edited: yes\r\nFrom: a@example.net/);
  assert.equal(headers.redirected, headers.stored);
  // With enclose, the redirected copy has the header edits but is not wrapped.
  const both = editedMessage(
    bytes,
    actions(
      'require ["editheader", "enclose"];\naddheader "X-Edited" "yes";\nenclose "See the attachment.";',
    ),
  );
  assert.match(dec.decode(both.stored), /Content-Type: multipart\/mixed/i);
  assert.equal(dec.decode(both.redirected), `X-Edited: yes\r\n${dec.decode(bytes)}`);
});
