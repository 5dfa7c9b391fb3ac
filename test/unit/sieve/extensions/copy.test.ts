// RFC 3894: the copy extension (:copy on fileinto and redirect).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actions, errorCodes, fileinto, KEEP } from '../helpers.js';

const R = 'require ["copy", "fileinto"];\n';
const redirect = (address: string, copy: boolean) => ({ type: 'redirect', address, copy }) as const;

test('§3: :copy needs require "copy"', () => {
  assert.deepEqual(errorCodes('redirect :copy "a@example.com";'), ['require.missing']);
  assert.deepEqual(errorCodes('require "fileinto"; fileinto :copy "A";'), ['require.missing']);
  assert.deepEqual(errorCodes(`${R}redirect :copy "a@example.com";`), []);
});

test('§3: :copy is not known on other commands and may be given once', () => {
  assert.deepEqual(errorCodes(`${R}keep :copy;`), ['argument.unknown-tag']);
  assert.deepEqual(errorCodes(`${R}fileinto :copy :copy "A";`), ['argument.duplicate-tag']);
});

test('§3: fileinto :copy and redirect :copy keep the implicit keep', () => {
  assert.deepEqual(actions(`${R}fileinto :copy "A";`), [{ ...fileinto('A'), copy: true }, KEEP]);
  assert.deepEqual(actions(`${R}redirect :copy "a@example.com";`), [redirect('a@example.com', true), KEEP]);
});

test('§3: without :copy the same actions cancel the implicit keep', () => {
  assert.deepEqual(actions(`${R}fileinto :copy "A"; redirect "b@example.com";`), [
    { ...fileinto('A'), copy: true },
    redirect('b@example.com', false),
  ]);
});

test('§3 example: redirect :copy to a list, then the message is still kept', () => {
  const script = `${R}if header :contains "subject" "hello" { redirect :copy "archive@example.net"; }`;
  assert.deepEqual(actions(script), [redirect('archive@example.net', true), KEEP]);
});

test('a plain action after a :copy one to the same place makes it a plain one', () => {
  assert.deepEqual(actions(`${R}redirect :copy "a@example.com"; redirect "a@example.com";`), [
    redirect('a@example.com', false),
  ]);
  assert.deepEqual(actions(`${R}fileinto :copy "A"; fileinto "A";`), [fileinto('A')]);
});

test('fileinto :copy "INBOX" is a keep that leaves the implicit keep alone', () => {
  assert.deepEqual(actions(`${R}fileinto :copy "INBOX";`), [KEEP]);
});
