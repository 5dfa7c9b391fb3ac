// The runner's test mail store: what test_result_execute does with the result's actions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionJson } from '../../../src/sieve/index.js';
import { executeAction, MailStore, Outbox } from '../../../src/testsuite/mailstore.js';

const envelope = { from: 'a@example.com', to: 'b@example.org' };
const RAW = 'From: a@example.com\r\n\r\nbody\r\n';

function fileinto(store: MailStore, mailbox: string, create: boolean): string | null {
  return executeAction(
    { action: { type: 'fileinto', mailbox, flags: [], copy: false, create }, raw: RAW, envelope },
    store,
    new Outbox(),
    [],
    new Map(),
  );
}

test('a mailbox name with an empty hierarchy level cannot be stored into, even with :create', () => {
  const store = new MailStore();
  for (const name of ['foo//somedomain/org', '/foo', 'foo/', '']) {
    assert.match(
      fileinto(store, name, true) ?? '',
      /failed to store into mailbox .*: invalid mailbox name/,
      name,
    );
    assert.equal(store.exists(name), false, name);
  }
  assert.equal(fileinto(store, 'foo/somedomain/org', true), null);
  assert.equal(store.message('foo/somedomain/org', 0)?.raw, RAW);
  // A missing mailbox without :create is another error.
  assert.match(fileinto(store, 'FROP', false) ?? '', /failed to store into mailbox 'FROP': .*exist/);
});

test("Pigeonhole's settings choose the envelope sender and the subject length of the messages sent", () => {
  const send = (action: ActionJson, settings: [string, string][]) => {
    const outbox = new Outbox();
    const err = executeAction({ action, raw: RAW, envelope }, new MailStore(), outbox, [], new Map(settings));
    assert.equal(err, null);
    return outbox.messages[0]!;
  };
  const redirect: ActionJson = { type: 'redirect', address: 'c@example.net', copy: false };
  const userEmail: [string, string] = ['sieve_user_email', 'me@example.org'];
  const sent = send(redirect, [['sieve_redirect_envelope_from', 'user_email'], userEmail]);
  assert.deepEqual(sent.envelope, { from: 'me@example.org', to: 'c@example.net' });
  assert.match(sent.raw, /^X-Sieve-Redirected-From: me@example.org\r\n/);
  assert.equal(send(redirect, []).envelope?.from, 'a@example.com');

  const vacation: ActionJson = {
    type: 'vacation',
    to: 'a@example.com',
    from: 'b@example.org',
    subject: 'Away until Monday',
    reason: 'Away.',
    mime: false,
    handle: 'h',
    seconds: 86400,
    inReplyTo: null,
    references: null,
    memoryKey: 'k',
  };
  assert.equal(send(vacation, []).envelope?.from, null);
  assert.equal(
    send(vacation, [['sieve_vacation_send_from_recipient', ' Yes ']]).envelope?.from,
    'b@example.org',
  );
  assert.equal(send(vacation, [['sieve_vacation_send_from_recipient', 'no']]).envelope?.from, null);
  const cut = send(vacation, [['sieve_vacation_max_subject_codepoints', '4']]);
  assert.match(cut.raw, /^Subject: =\?UTF-8\?/m);
  assert.doesNotMatch(send(vacation, []).raw, /^Subject: =\?/m);
});

test('INBOX is case-insensitive also as the first level of a name: Inbox.Sub is INBOX.Sub', () => {
  const store = new MailStore();
  assert.equal(store.create('INBOX.Sub'), true);
  assert.equal(store.exists('Inbox.Sub'), true);
  assert.equal(fileinto(store, 'inbox.Sub', false), null);
  assert.equal(store.message('INBOX.Sub', 0)?.raw, RAW);
  // Only the first level: "Sub" and "INBOXES" are names of their own.
  assert.equal(store.exists('INBOX.sub'), false);
  assert.equal(store.create('Inboxes'), true);
  assert.equal(store.exists('INBOXES'), false);
});
