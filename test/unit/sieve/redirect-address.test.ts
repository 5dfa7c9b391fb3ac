// RFC 5228 §4.2: redirect takes an RFC 5322 address; the envelope gets it in its plain form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actions, errorCodes } from './helpers.js';

const redirectTo = (address: string): string => {
  const [a] = actions(`redirect ${JSON.stringify(address)};`);
  assert.equal(a?.type, 'redirect');
  return a.type === 'redirect' ? a.address : '';
};

test('RFC 5322 §3.4.1: white space around the local part and the domain is CFWS, not part of them', () => {
  assert.equal(redirectTo(' stephan @ example.org '), 'stephan@example.org');
  assert.equal(redirectTo('stephan@ example.org'), 'stephan@example.org');
  assert.equal(redirectTo('  Stephan Bosch  <  stephan  @  example.org  > '), 'stephan@example.org');
  // Inside the local part, white space is still wrong.
  assert.deepEqual(errorCodes('redirect "Stephan Bosch error@example.org";'), ['redirect.invalid-address']);
  assert.deepEqual(errorCodes('redirect ".japanese@example.com";'), ['redirect.invalid-address']);
});

test('RFC 5322 §3.2.4: a quoted local part that needs no quotes is the same as the plain one', () => {
  assert.equal(redirectTo('"Sirius"@example.net'), 'Sirius@example.net');
  assert.equal(redirectTo('"Stephan Bosch" <"S.Bosch"@example.net>'), 'S.Bosch@example.net');
  assert.equal(redirectTo('"Si\\rius"@example.net'), 'Sirius@example.net');
  // Quotes that are needed stay.
  assert.equal(redirectTo('"S[r]us"@example.net'), '"S[r]us"@example.net');
  assert.equal(redirectTo('"Stephan Bosch"@example.org'), '"Stephan Bosch"@example.org');
});
