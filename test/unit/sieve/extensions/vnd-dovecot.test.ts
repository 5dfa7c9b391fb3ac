// Dovecot's vendor extensions that scripts moved from Dovecot use (vnd.dovecot.debug,
// vnd.dovecot.environment, vnd.dovecot.duplicate), and how the deprecated and vendor extensions
// are offered: accepted in require and by ihave, left out of the capability list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, type ExpiringMemory, type SieveHost } from '../../../../src/sieve/index.js';
import { runTestsuiteFile } from '../../../../src/testsuite/index.js';
import { actions, errorCodes, errors, program } from '../helpers.js';
import { branch, hostActions, runWithHost } from './with-host.js';

const LEGACY = [
  'imapflags',
  'notify',
  'vnd.dovecot.debug',
  'vnd.dovecot.environment',
  'vnd.dovecot.duplicate',
];

test('the capability list is unchanged: the deprecated and vendor extensions are not advertised', () => {
  assert.equal(
    createEngine().capabilities().join(' '),
    'body comparator-i;ascii-casemap comparator-i;ascii-numeric comparator-i;octet comparator-i;unicode-casemap ' +
      'convert copy date duplicate editheader enclose encoded-character enotify envelope environment ereject ' +
      'extlists extracttext fcc fileinto foreverypart ihave imap4flags include index mailbox mailboxid ' +
      'mboxmetadata mime regex reject relational replace servermetadata spamtest spamtestplus special-use ' +
      'subaddress vacation vacation-seconds variables virustest',
  );
});

test('they are accepted in require and ihave answers true for them (they are supported)', () => {
  for (const c of LEGACY) {
    program(`require "${c}";\nkeep;`);
    assert.equal(branch(['ihave'], `ihave "${c}"`), true, c);
  }
  // An engine that enables only some capabilities still refuses the others.
  const engine = createEngine({ enabled: ['fileinto'] });
  assert.equal(engine.compile('require "imapflags";').program, null);
});

test('vnd.dovecot.debug: debug_log hands the message to the host log and does nothing else', () => {
  const logged: string[] = [];
  const host: SieveHost = { debugLog: (m) => logged.push(m) };
  const a = hostActions(
    'require ["vnd.dovecot.debug", "variables"];\nset "a" "x";\ndebug_log "logging ${a} message.";',
    host,
  );
  assert.deepEqual(logged, ['logging x message.']);
  assert.deepEqual(a, [{ type: 'keep', flags: [] }]);
  // Without a log hook it is a no-op; it takes exactly one string.
  assert.deepEqual(actions('require "vnd.dovecot.debug";\ndebug_log "x";'), [{ type: 'keep', flags: [] }]);
  assert.deepEqual(errorCodes('require "vnd.dovecot.debug";\ndebug_log;'), ['argument.count']);
  assert.deepEqual(errorCodes('debug_log "x";'), ['require.missing']);
});

test("the test suite prints debug_log messages as Pigeonhole's does with its log option", () => {
  const r = runTestsuiteFile('test/svtest/vnd-dovecot/vnd-dovecot.svtest');
  assert.ok(r.passed, r.stdout);
  assert.match(r.stdout, /^LOG: info: DEBUG: the subject is checked next$/m);
});

const ENV = 'require ["vnd.dovecot.environment", "fileinto", "variables"];\n';

test('vnd.dovecot.environment: the environment test with the vnd.dovecot items, without require "environment"', () => {
  const is = (item: string, value: string, host: SieveHost = {}) =>
    hostActions(`${ENV}if environment :is "${item}" "${value}" { fileinto "yes"; }`, host).some(
      (a) => a.type === 'fileinto',
    );
  assert.equal(is('vnd.dovecot.default-mailbox', 'INBOX'), true);
  assert.equal(is('vnd.dovecot.username', 'bob@example.org'), true);
  assert.equal(is('vnd.dovecot.username', 'bob', { environment: { 'vnd.dovecot.username': 'bob' } }), true);
  assert.equal(is('vnd.dovecot.username', 'me@example.org', { userAddresses: ['me@example.org'] }), true);
  const config = { environment: { 'vnd.dovecot.config.display_name': 'Jan Jansen' } };
  assert.equal(is('vnd.dovecot.config.display_name', 'Jan Jansen', config), true);
  assert.equal(is('vnd.dovecot.config.DISPLAY_NAME', 'Jan Jansen', config), true);
  assert.equal(is('vnd.dovecot.config.other', '', config), false);
  // The standard items are still there.
  assert.equal(is('name', 'sievert'), true);
  // Without the vendor extension the vendor items do not exist.
  assert.equal(branch(['environment'], 'environment :contains "vnd.dovecot.default-mailbox" ""'), false);
});

test('vnd.dovecot.environment: ${env.…} reads environment items, "_" standing for "-"', () => {
  const r = runWithHost(
    `${ENV}set "m" "\${env.vnd.dovecot.default_mailbox}|\${env.name}|\${env.vnd.dovecot.config.x}|\${env.nothing}";\nfileinto "\${m}";`,
    { environment: { 'vnd.dovecot.config.x': 'y' } },
  );
  assert.equal(r.error, null);
  assert.deepEqual(r.actions[0], {
    type: 'fileinto',
    mailbox: 'INBOX|sievert|y|',
    flags: [],
    copy: false,
    create: false,
  });
  // The namespace needs the extension; env variables cannot be set.
  assert.deepEqual(errorCodes('require "variables";\nset "a" "${env.name}";'), [
    'variables.namespace-not-required',
  ]);
  assert.deepEqual(errorCodes(`${ENV}set "env.name" "x";`), ['set.invalid-name']);
  assert.deepEqual(errorCodes(`${ENV}set "a" "\${env.1}";`), ['variables.invalid-name']);
});

/** A duplicate memory that remembers every key it was asked to mark. */
function memory(): ExpiringMemory & { keys: Set<string> } {
  const keys = new Set<string>();
  return { keys, has: (k) => keys.has(k), mark: (k) => void keys.add(k) };
}

const DUP = 'require ["vnd.dovecot.duplicate", "fileinto"];\n';

test('vnd.dovecot.duplicate: duplicate with :value for :uniqueid, on the memory RFC 7352 uses', () => {
  const mem = memory();
  const a = hostActions(`${DUP}if duplicate :value "abc" :handle "h" { fileinto "dup"; }`, {
    duplicateMemory: mem,
  });
  const track = a.find((x) => x.type === 'duplicate');
  assert.ok(track && track.type === 'duplicate');
  // The same key RFC 7352's `duplicate :uniqueid "abc" :handle "h"` tracks.
  const standard = hostActions(
    'require ["duplicate", "fileinto"];\nif duplicate :uniqueid "abc" :handle "h" { fileinto "dup"; }',
    { duplicateMemory: mem },
  ).find((x) => x.type === 'duplicate');
  assert.deepEqual(track, standard);
  mem.keys.add(track.memoryKey);
  assert.ok(
    hostActions(`${DUP}if duplicate :value "abc" :handle "h" { fileinto "dup"; }`, {
      duplicateMemory: mem,
    }).some((x) => x.type === 'fileinto'),
  );
  // :header, :seconds and :last as in RFC 7352; :uniqueid is not vnd.dovecot.duplicate's.
  program(`${DUP}if duplicate :header "subject" :seconds 60 :last { keep; }`);
  assert.deepEqual(errorCodes(`${DUP}if duplicate :uniqueid "x" { keep; }`), ['argument.unknown-tag']);
  assert.deepEqual(errorCodes(`${DUP}if duplicate :header "x" :value "y" { keep; }`), [
    'argument.duplicate-group',
  ]);
});

test('vnd.dovecot.duplicate and duplicate cannot be required together', () => {
  for (const order of ['"vnd.dovecot.duplicate", "duplicate"', '"duplicate", "vnd.dovecot.duplicate"']) {
    const e = errors(`require [${order}];\nif duplicate { keep; }`);
    assert.deepEqual(
      e.map((d) => d.code),
      ['require.conflict'],
      order,
    );
  }
});
