// RFC 5490 §3.1: the mailbox extension (mailboxexists, fileinto :create).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actions, errorCodes, fileinto, KEEP } from '../helpers.js';
import { branch } from './with-host.js';

test('§3.1: mailboxexists and :create need require "mailbox"', () => {
  assert.deepEqual(errorCodes('require "fileinto"; if mailboxexists "A" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes('require "fileinto"; fileinto :create "A";'), ['require.missing']);
  assert.deepEqual(errorCodes('require ["fileinto", "mailbox"]; fileinto :create "A";'), []);
});

test('§3.1: mailboxexists takes a string list and no match type', () => {
  assert.deepEqual(errorCodes('require "mailbox"; if mailboxexists { keep; }'), ['argument.count']);
  assert.deepEqual(errorCodes('require "mailbox"; if mailboxexists :is "A" { keep; }'), [
    'argument.unknown-tag',
  ]);
});

test('without a host only INBOX exists (in any case)', () => {
  assert.equal(branch(['mailbox'], 'mailboxexists "INBOX"'), true);
  assert.equal(branch(['mailbox'], 'mailboxexists "inbox"'), true);
  assert.equal(branch(['mailbox'], 'mailboxexists "Archive"'), false);
});

test('§3.1: true only when every named mailbox exists, as the host says', () => {
  const host = { mailboxExists: (n: string) => ['INBOX', 'Lists', 'Lists/sieve'].includes(n) };
  assert.equal(branch(['mailbox'], 'mailboxexists ["Lists", "Lists/sieve"]', host), true);
  assert.equal(branch(['mailbox'], 'mailboxexists ["Lists", "Nope"]', host), false);
  assert.equal(
    branch(['mailbox', 'variables'], 'allof(string "x" "x", mailboxexists "${unset}Lists")', host),
    true,
  );
});

test('§3.1 example: fileinto :create reports create, and the implicit keep is cancelled', () => {
  assert.deepEqual(actions('require ["fileinto", "mailbox"];\nfileinto :create "Lists/new";'), [
    { ...fileinto('Lists/new'), create: true },
  ]);
  assert.deepEqual(actions('require ["fileinto", "mailbox"];\nfileinto "Lists/new";'), [
    fileinto('Lists/new'),
  ]);
});

test(':create into INBOX is the keep; :create is not known on keep', () => {
  assert.deepEqual(actions('require ["fileinto", "mailbox"];\nfileinto :create "INBOX";'), [KEEP]);
  assert.deepEqual(errorCodes('require ["fileinto", "mailbox"]; keep :create;'), ['argument.unknown-tag']);
});

test('filing twice into one mailbox with and without :create merges into one create', () => {
  assert.deepEqual(actions('require ["fileinto", "mailbox"];\nfileinto "A"; fileinto :create "A";'), [
    { ...fileinto('A'), create: true },
  ]);
});
