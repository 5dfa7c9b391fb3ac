// RFC 5490 §3.2–3.3: mboxmetadata (metadata, metadataexists) and servermetadata
// (servermetadata, servermetadataexists).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes } from '../helpers.js';
import { branch, warningCodes } from './with-host.js';
import { invalidEntryName } from '../../../../src/sieve/extensions/metadata/index.js';

const annotations: Record<string, Record<string, string>> = {
  INBOX: { '/private/comment': 'My own INBOX', '/shared/vendor/x': '' },
};
const server: Record<string, string> = { '/shared/admin': 'mailto:admin@example.com' };
const host = {
  metadata: (mailbox: string, entry: string) => annotations[mailbox]?.[entry] ?? null,
  serverMetadata: (entry: string) => server[entry] ?? null,
};

test('each test needs its own extension required', () => {
  assert.deepEqual(errorCodes('if metadata "INBOX" "/private/comment" "x" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes('require "mboxmetadata"; if servermetadataexists "/shared/a" { keep; }'), [
    'require.missing',
  ]);
  assert.deepEqual(errorCodes('require "servermetadata"; if metadataexists "INBOX" "/shared/a" { keep; }'), [
    'require.missing',
  ]);
});

test('§3.2: metadata compares the annotation with the match type and comparator', () => {
  assert.equal(branch(['mboxmetadata'], 'metadata "INBOX" "/private/comment" "my own inbox"', host), true);
  assert.equal(
    branch(
      ['mboxmetadata'],
      'metadata :comparator "i;octet" "INBOX" "/private/comment" "my own inbox"',
      host,
    ),
    false,
  );
  assert.equal(branch(['mboxmetadata'], 'metadata :contains "INBOX" "/private/comment" "own"', host), true);
  assert.equal(branch(['mboxmetadata'], 'metadata :matches "INBOX" "/private/comment" "My*"', host), true);
});

test('§3.2: an annotation that does not exist matches no key, not even ""', () => {
  assert.equal(branch(['mboxmetadata'], 'metadata :contains "INBOX" "/private/none" ""', host), false);
  assert.equal(branch(['mboxmetadata'], 'metadata :contains "Other" "/private/comment" ""', host), false);
  assert.equal(branch(['mboxmetadata'], 'metadata "INBOX" "/shared/vendor/x" ""', host), true);
  // Without a host no annotation exists.
  assert.equal(branch(['mboxmetadata'], 'metadata :contains "INBOX" "/private/comment" ""'), false);
});

test('§3.2: a missing annotation fails the test even with :count "eq" "0"', () => {
  const r = ['mboxmetadata', 'servermetadata', 'relational', 'comparator-i;ascii-numeric'];
  const cmp = ':comparator "i;ascii-numeric"';
  assert.equal(branch(r, `metadata :count "eq" ${cmp} "INBOX" "/private/none" "0"`, host), false);
  assert.equal(branch(r, `servermetadata :count "eq" ${cmp} "/shared/none" "0"`, host), false);
  assert.equal(branch(r, `metadata :count "eq" ${cmp} "INBOX" "/private/comment" "1"`, host), true);
});

test('§3.3: metadataexists is true only when every annotation exists', () => {
  assert.equal(
    branch(['mboxmetadata'], 'metadataexists "INBOX" ["/private/comment", "/shared/vendor/x"]', host),
    true,
  );
  assert.equal(
    branch(['mboxmetadata'], 'metadataexists "INBOX" ["/private/comment", "/private/no"]', host),
    false,
  );
  assert.equal(branch(['mboxmetadata'], 'metadataexists "Nope" "/private/comment"', host), false);
});

test('§3.3: servermetadata and servermetadataexists read server annotations', () => {
  assert.equal(branch(['servermetadata'], 'servermetadata :matches "/shared/admin" "mailto:*"', host), true);
  assert.equal(branch(['servermetadata'], 'servermetadata :contains "/shared/none" ""', host), false);
  assert.equal(branch(['servermetadata'], 'servermetadataexists "/shared/admin"', host), true);
  assert.equal(
    branch(['servermetadata'], 'servermetadataexists ["/shared/admin", "/shared/x"]', host),
    false,
  );
  assert.equal(branch(['servermetadata'], 'servermetadataexists "/shared/admin"'), false);
});

test('RFC 5464 §3.2: an invalid entry name is a warning, and the test is false', () => {
  assert.deepEqual(warningCodes('require "mboxmetadata"; if metadataexists "INBOX" "comment" { keep; }'), [
    'metadata.invalid-entry',
  ]);
  assert.deepEqual(warningCodes('require "servermetadata"; if servermetadata "/shared/a*" "" { keep; }'), [
    'metadata.invalid-entry',
  ]);
  const all = { metadata: () => 'v', serverMetadata: () => 'v' };
  assert.equal(branch(['mboxmetadata'], 'metadataexists "INBOX" "comment"', all), false);
  assert.equal(branch(['mboxmetadata'], 'metadataexists "INBOX" "/private/comment"', all), true);
});

test('entry names: /private or /shared, no trailing or double slash, no wildcards', () => {
  assert.equal(invalidEntryName('/private/comment'), null);
  assert.equal(invalidEntryName('/shared'), null);
  for (const bad of ['comment', '/other/x', '/private/', '/private//x', '/shared/%', '/shared/\x01']) {
    assert.notEqual(invalidEntryName(bad), null, bad);
  }
});

test('the argument types are checked', () => {
  assert.deepEqual(errorCodes('require "mboxmetadata"; if metadata ["INBOX"] "/private/c" "x" { keep; }'), [
    'argument.type',
  ]);
  assert.deepEqual(errorCodes('require "servermetadata"; if servermetadata "/private/c" { keep; }'), [
    'argument.count',
  ]);
});
