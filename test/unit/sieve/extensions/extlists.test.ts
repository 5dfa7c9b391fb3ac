// RFC 6134: extlists (the :list match type, valid_ext_list).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes } from '../helpers.js';
import { branch } from './with-host.js';

const lists: Record<string, string[]> = {
  'tag:example.com,2010-05-28:mylist': ['alice@example.com', 'carol@example.net'],
  ':addrbook:default': ['alice@example.com'],
};
const host = {
  listContains: (list: string, value: string) =>
    lists[list] ? lists[list].includes(value.toLowerCase()) : null,
  listExists: (list: string) => list in lists,
};

test('§2.1: :list and valid_ext_list need require "extlists"', () => {
  assert.deepEqual(errorCodes('if header :list "from" ":addrbook:default" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes('if valid_ext_list ":addrbook:default" { keep; }'), ['require.missing']);
});

test('§2.2 example: address :list tests the sender against an address book', () => {
  assert.equal(branch(['extlists'], 'address :all :list "from" ":addrbook:default"', host), true);
  assert.equal(branch(['extlists'], 'address :all :list "to" ":addrbook:default"', host), false);
});

test('§2.2: true when any value is on any of the lists', () => {
  assert.equal(
    branch(['extlists'], 'address :list "to" ["tag:none", "tag:example.com,2010-05-28:mylist"]', host),
    true,
  );
  assert.equal(branch(['extlists', 'envelope'], 'envelope :list "to" ":addrbook:default"', host), false);
});

test('§2.2: an unknown list, or no host, matches nothing', () => {
  assert.equal(branch(['extlists'], 'address :list "from" "tag:unknown"', host), false);
  assert.equal(branch(['extlists'], 'address :list "from" ":addrbook:default"'), false);
});

test(':list is one match type among :is/:contains/:matches', () => {
  assert.deepEqual(errorCodes('require "extlists"; if header :list :is "from" "x" { keep; }'), [
    'argument.duplicate-group',
  ]);
});

test('§2.4: valid_ext_list is true when every list is supported', () => {
  assert.equal(branch(['extlists'], 'valid_ext_list ":addrbook:default"', host), true);
  assert.equal(branch(['extlists'], 'valid_ext_list [":addrbook:default", "tag:none"]', host), false);
  assert.equal(branch(['extlists'], 'valid_ext_list ":addrbook:default"'), false);
});
