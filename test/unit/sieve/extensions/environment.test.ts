// RFC 5183: the environment test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes } from '../helpers.js';
import { branch } from './with-host.js';
import { ENGINE_VERSION } from '../../../../src/sieve/extensions/environment/index.js';

const host = {
  environment: {
    domain: 'example.org',
    host: 'mx1.example.org',
    location: 'MDA',
    phase: 'during',
    'remote-ip': '192.0.2.7',
    'vnd.example.tier': 'gold',
  },
};

test('§4: environment needs require "environment" and a string name', () => {
  assert.deepEqual(errorCodes('if environment "name" "sievert" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes('require "environment"; if environment ["name"] "x" { keep; }'), [
    'argument.type',
  ]);
});

test("§4.1: name and version are the engine's own", () => {
  assert.equal(branch(['environment'], 'environment "name" "sievert"'), true);
  assert.equal(branch(['environment'], `environment "version" "${ENGINE_VERSION}"`), true);
  assert.equal(branch(['environment'], 'environment :matches "version" "*.*"'), true);
});

test('§4.1: the other items come from the host', () => {
  assert.equal(branch(['environment'], 'environment "location" "mda"', host), true);
  assert.equal(branch(['environment'], 'environment "phase" "during"', host), true);
  assert.equal(branch(['environment'], 'environment :matches "host" "*.example.org"', host), true);
  assert.equal(branch(['environment'], 'environment "remote-ip" "192.0.2.7"', host), true);
  assert.equal(branch(['environment'], 'environment "vnd.example.tier" "gold"', host), true);
  assert.equal(branch(['environment'], 'environment "location" "MDA"'), false);
});

test('§4: an item that does not exist fails the test, even for "" and :count', () => {
  assert.equal(branch(['environment'], 'environment :contains "remote-host" ""', host), false);
  assert.equal(branch(['environment'], 'environment :contains "remote-ip" ""'), false);
  assert.equal(branch(['environment'], 'environment :contains "no-such-item" ""', host), false);
  const r = ['environment', 'relational', 'comparator-i;ascii-numeric'];
  assert.equal(
    branch(r, 'environment :count "eq" :comparator "i;ascii-numeric" "remote-host" "0"', host),
    false,
  );
  assert.equal(branch(r, 'environment :count "eq" :comparator "i;ascii-numeric" "name" "1"'), true);
});

test('item names are matched exactly (as Pigeonhole does)', () => {
  assert.equal(branch(['environment'], 'environment "NAME" "sievert"'), false);
});

test('the default comparator is i;ascii-casemap; :comparator "i;octet" is exact', () => {
  assert.equal(branch(['environment'], 'environment "name" "SIEVERT"'), true);
  assert.equal(branch(['environment'], 'environment :comparator "i;octet" "name" "SIEVERT"'), false);
});

test("the host may override the engine's items", () => {
  assert.equal(
    branch(['environment'], 'environment "name" "custom"', { environment: { name: 'custom' } }),
    true,
  );
});
