// test_config_set settings mapped onto Limits and SieveHost fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applySettings, parseDuration, runTestsuiteFile } from '../../../src/testsuite/index.js';

test('Dovecot sizes and durations', () => {
  const size = (value: string): number | undefined =>
    applySettings(new Map([['sieve_max_script_size', value]])).limits.maxScriptSize;
  assert.equal(size('4k'), 4096);
  assert.equal(size('10'), 10);
  assert.equal(size('1M'), 1024 * 1024);
  assert.equal(size('frop'), undefined);
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
  assert.deepEqual(host.vacationPolicy, {
    minPeriod: 3600,
    defaultPeriod: 7 * 86400,
    maxPeriod: 90 * 86400,
    useOriginalRecipient: false,
    dontCheckRecipient: false,
  });
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

test("no settings: Pigeonhole's vacation defaults and the raw settings", () => {
  const { limits, host } = applySettings(new Map());
  assert.deepEqual(limits, {});
  assert.deepEqual(Object.keys(host).sort(), ['settings', 'vacationPolicy']);
  // Pigeonhole's sieve_vacation_use_original_recipient is "no" unless set.
  assert.equal(host.vacationPolicy?.useOriginalRecipient, false);
});

test('Pigeonhole-only vacation settings map onto VacationPolicy fields', () => {
  const { host } = applySettings(
    new Map([
      ['sieve_vacation_default_subject', 'Something colorful'],
      ['sieve_vacation_default_subject_template', 'Automatisch bericht: %$'],
      ['sieve_vacation_use_original_recipient', 'yes'],
      ['sieve_vacation_dont_check_recipient', 'yes'],
    ]),
  );
  assert.deepEqual(host.vacationPolicy, {
    minPeriod: 86400,
    defaultPeriod: 7 * 86400,
    maxPeriod: 90 * 86400,
    defaultSubject: 'Something colorful',
    subjectTemplate: 'Automatisch bericht: %$',
    useOriginalRecipient: true,
    dontCheckRecipient: true,
  });
  const off = applySettings(new Map([['sieve_vacation_dont_check_recipient', 'no']])).host;
  assert.equal(off.vacationPolicy?.dontCheckRecipient, false);
});

test('sieve_editheader_max_header_size is the longest value addheader takes', () => {
  const { limits } = applySettings(new Map([['sieve_editheader_max_header_size', '1024']]));
  assert.equal(limits.maxHeaderValueSize, 1024);
  // Empty: the default.
  assert.equal(
    applySettings(new Map([['sieve_editheader_max_header_size', '']])).limits.maxHeaderValueSize,
    undefined,
  );
});

test('sieve_editheader_protected, _forbid_add and _forbid_delete map onto editheaderPolicy', () => {
  const { host } = applySettings(
    new Map([
      ['sieve_editheader_protected', 'subject  delivery-date'],
      ['sieve_editheader_forbid_add', 'x-frop'],
      ['sieve_editheader_forbid_delete', 'x-friep'],
    ]),
  );
  assert.deepEqual(host.editheaderPolicy, {
    forbidAdd: ['subject', 'delivery-date', 'x-frop'],
    forbidDelete: ['subject', 'delivery-date', 'x-friep'],
  });
  assert.equal(applySettings(new Map([['sieve_editheader_protected', '']])).host.editheaderPolicy, undefined);
});

test('test_config_reload: new limits apply to the running test file too, as in Pigeonhole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sievert-settings-'));
  try {
    const file = join(dir, 'limits.svtest');
    writeFileSync(
      file,
      [
        'require "vnd.dovecot.testsuite";',
        'require "variables";',
        'test_config_set "sieve_variables_max_variable_size" "5";',
        'test_config_reload :extension "variables";',
        'test "cut" {',
        '  set "a" "123456789";',
        '  if not string "${a}" "12345" { test_fail "not cut: ${a}"; }',
        '}',
        '',
      ].join('\n'),
    );
    const r = runTestsuiteFile(file);
    assert.ok(r.passed, r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
