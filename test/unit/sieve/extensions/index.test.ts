// RFC 5260 §6: the index extension's :index and :last on header, address and date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes } from '../helpers.js';
import { hostActions } from './with-host.js';

// The message of Pigeonhole's tests/extensions/index/basic.svtest, shortened.
const MESSAGE = [
  'To: first@example.com',
  'X-A: First',
  'Received: from a by b; Wed, 12 Nov 2014 18:18:31 +0100',
  'To: second@example.com',
  'Received: from a by b; Wed, 12 Nov 2014 18:18:30 +0100',
  'X-A: Second',
  'To: third@example.com, extra@example.com',
  'X-A: Third',
  'Received: from a by b; Wed, 12 Nov 2014 18:18:29 +0100',
  'X-A: Fourth',
  'To: fourth@example.com',
  'Received: from a by b; Wed, 12 Nov 2014 18:18:28 +0100',
  'Subject: index',
  '',
  'body',
  '',
].join('\r\n');

function when(t: string): boolean {
  const src = `require ["index", "date", "fileinto"];\nif ${t} { fileinto "yes"; }\n`;
  return hostActions(src, {}, MESSAGE).some((a) => a.type === 'fileinto' && a.mailbox === 'yes');
}

test('§6: :index n tests only the n-th field, counted from 1', () => {
  assert.equal(when('header :index 3 "x-a" "Third"'), true);
  assert.equal(when('header :index 3 "x-a" ["First", "Second", "Fourth"]'), false);
  assert.equal(when('header :index 5 "x-a" ["First", "Second", "Third", "Fourth"]'), false);
  assert.equal(when('header "x-a" "Fourth"'), true);
});

test('§6: :last counts from the bottom', () => {
  assert.equal(when('header :index 3 :last "x-a" "Second"'), true);
  assert.equal(when('header :last :index 1 "x-a" "Fourth"'), true);
  assert.equal(when('header :index 3 :last "x-a" ["First", "Third", "Fourth"]'), false);
});

test('§6: address :index counts fields, not addresses', () => {
  assert.equal(when('address :localpart :index 2 "to" "second"'), true);
  assert.equal(when('address :localpart :index 3 "to" "extra"'), true);
  assert.equal(when('address :localpart :index 2 :last "to" "third"'), true);
  assert.equal(when('address :localpart :index 2 "to" ["first", "third", "fourth"]'), false);
});

test('§6: with several header names the fields are counted in the order of the list', () => {
  assert.equal(when('header :index 5 ["x-a", "subject"] "index"'), true);
  assert.equal(when('header :index 1 ["subject", "x-a"] "index"'), true);
});

test('§6: date :index picks the field whose date is tested', () => {
  assert.equal(when('date :originalzone "received" "second" "31"'), true);
  assert.equal(when('date :index 1 :originalzone "received" "second" "31"'), true);
  assert.equal(when('date :index 2 :originalzone "received" "second" "30"'), true);
  assert.equal(when('date :index 1 :last :originalzone "received" "second" "28"'), true);
  assert.equal(when('date :index 1 :last :originalzone "received" "second" ["31", "30", "29"]'), false);
});

test('§6: errors: require, :last without :index, index 0, missing number', () => {
  assert.deepEqual(errorCodes('if header :index 1 "to" "x" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes('require "index"; if header :last "to" "x" { keep; }'), [
    'index.last-without-index',
  ]);
  assert.deepEqual(errorCodes('require "index"; if header :index 0 "to" "x" { keep; }'), ['index.zero']);
  assert.ok(
    errorCodes('require "index"; if header :index "to" "x" { keep; }').includes('argument.tag-value'),
  );
  assert.ok(
    errorCodes('require "index"; if exists :index 1 "to" { keep; }').includes('argument.unknown-tag'),
  );
  assert.deepEqual(errorCodes('require "index"; if header :index 444 :last "to" "ok" { keep; }'), []);
});
