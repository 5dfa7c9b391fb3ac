// test_config_set settings mapped onto Limits and SieveHost fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySettings, parseDuration, parseSize } from '../../../src/testsuite/index.js';

test('Dovecot sizes and durations', () => {
  assert.equal(parseSize('4k'), 4096);
  assert.equal(parseSize('10'), 10);
  assert.equal(parseSize('1M'), 1024 * 1024);
  assert.equal(parseSize('frop'), null);
  assert.equal(parseDuration('1d'), 86400);
  assert.equal(parseDuration('30 s'), 30);
  assert.equal(parseDuration('2h'), 7200);
  assert.equal(parseDuration('5 fortnights'), null);
});

test('limits with a counterpart are mapped; 0 means unlimited', () => {
  const { limits } = applySettings(
    new Map([
      ['sieve_variables_max_variable_size', '5'],
      ['sieve_variables_max_scope_size', '0'],
      ['sieve_max_redirects', '2'],
    ]),
  );
  assert.equal(limits.maxVariableSize, 5);
  assert.equal(limits.maxVariables, Number.MAX_SAFE_INTEGER);
  assert.equal(limits.maxRedirects, 2);
});

test('host fields: subaddress separators, user address, vacation policy, spamtest', () => {
  const { host } = applySettings(
    new Map([
      ['recipient_delimiter', '+-'],
      ['sieve_user_email', 'user@example.com'],
      ['sieve_vacation_min_period', '1h'],
      ['sieve_spamtest_status_header', 'X-Spam-Score: ([0-9]+)'],
      ['sieve_spamtest_status_type', 'score'],
      ['sieve_spamtest_max_value', '15'],
      ['sieve_unknown_setting', 'ignored'],
    ]),
  );
  assert.deepEqual(host.subaddressSeparators, ['+', '-']);
  assert.deepEqual(host.userAddresses, ['user@example.com']);
  assert.deepEqual(host.vacationPolicy, { minPeriod: 3600, defaultPeriod: 7 * 86400, maxPeriod: 90 * 86400 });
  assert.deepEqual(host.spamtest, {
    header: 'X-Spam-Score',
    pattern: '([0-9]+)',
    format: { kind: 'score', max: 15 },
  });
});

test('spamtest/virustest: "Header: regex" settings keep the regex; strlen reads the length', () => {
  const { host } = applySettings(
    new Map([
      ['sieve_spamtest_status_header', 'X-Check:[ a-z]+, score=(-?[0-9.]+)'],
      ['sieve_spamtest_max_header', 'X-Check: required=([0-9.]+)'],
      ['sieve_virustest_status_header', 'X-Level'],
      ['sieve_virustest_status_type', 'strlen'],
      ['sieve_virustest_max_value', '8.0'],
    ]),
  );
  assert.deepEqual(host.spamtest, {
    header: 'X-Check',
    pattern: '[ a-z]+, score=(-?[0-9.]+)',
    format: { kind: 'score', max: { header: 'X-Check', pattern: 'required=([0-9.]+)' } },
  });
  assert.deepEqual(host.virustest, { header: 'X-Level', format: { kind: 'length', max: 8 } });
});

test('no settings: no host fields but the raw settings', () => {
  const { limits, host } = applySettings(new Map());
  assert.deepEqual(limits, {});
  assert.deepEqual(Object.keys(host), ['settings']);
});
