// RFC 6609: include, return and global.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionJson, SieveHost } from '../../../../src/sieve/index.js';
import { errorCodes } from '../helpers.js';
import { runWithHost } from './with-host.js';

/** A host whose scripts are given by "location:name". */
function scripts(map: Record<string, string>): SieveHost & { loads: string[] } {
  const loads: string[] = [];
  return {
    loads,
    loadScript(location, name) {
      const id = `${location}:${name}`;
      loads.push(id);
      const source = map[id];
      return source === undefined ? null : { source, id };
    },
  };
}

const into = (...boxes: string[]): ActionJson[] =>
  boxes.map((mailbox) => ({ type: 'fileinto', mailbox, flags: [], copy: false, create: false }));

const REQ = 'require ["include", "fileinto", "variables"];\n';

test('§3.2: the included script runs in place; its actions join the result', () => {
  const host = scripts({ 'personal:spam': 'require "fileinto"; fileinto "Spam";' });
  const r = runWithHost(`${REQ}fileinto "before"; include "spam"; fileinto "after";`, host);
  assert.equal(r.error, null);
  assert.deepEqual(r.actions, into('before', 'Spam', 'after'));
  assert.deepEqual(host.loads, ['personal:spam']);
});

test('§3.2: :personal is the default, :global asks the global location', () => {
  const host = scripts({
    'global:x': 'require "fileinto"; fileinto "G";',
    'personal:x': 'require "fileinto"; fileinto "P";',
  });
  assert.deepEqual(
    runWithHost(`${REQ}include :global "x"; include :personal "x"; include "x";`, host).actions,
    into('G', 'P'),
  );
  assert.deepEqual(host.loads, ['global:x', 'personal:x', 'personal:x']);
});

test('§3.2: :once includes a script only the first time', () => {
  const host = scripts({ 'personal:a': 'require ["fileinto", "variables"]; set "n" "x"; fileinto "A";' });
  const r = runWithHost(`${REQ}include "a"; include :once "a"; include :once "a";`, host);
  // Two fileinto "A" are one action (RFC 5228 §2.10.3); :once skipped the loads.
  assert.deepEqual(r.actions, into('A'));
  assert.deepEqual(host.loads, ['personal:a']);
});

test('§3.2: a missing script is a run-time error unless :optional', () => {
  const host = scripts({});
  const r = runWithHost(`${REQ}fileinto "x"; include "none";`, host);
  assert.match(r.error?.message ?? '', /no personal script named "none"/);
  assert.deepEqual(r.actions, [{ type: 'keep', flags: [] }]);
  assert.deepEqual(runWithHost(`${REQ}include :optional "none"; fileinto "x";`, host).actions, into('x'));
  // No loader at all: nothing exists.
  assert.match(runWithHost(`${REQ}include "none";`, {}).error?.message ?? '', /no personal script/);
});

test('§3.2: an included script that does not compile is a run-time error naming it', () => {
  const host = scripts({ 'personal:bad': 'fileinto "x";' });
  assert.match(
    runWithHost(`${REQ}include "bad";`, host).error?.message ?? '',
    /personal:bad does not compile: line 1: .*fileinto/,
  );
});

test('§3.2: include cycles and too deep nesting are run-time errors, never a hang', () => {
  const cyc = scripts({
    'personal:a': 'require "include"; include "b";',
    'personal:b': 'require "include"; include "a";',
  });
  assert.match(
    runWithHost(`${REQ}include "a";`, cyc).error?.message ?? '',
    /loop \(personal:a → personal:b → personal:a\)/,
  );
  const chain: Record<string, string> = {};
  for (let i = 0; i < 20; i++) chain[`personal:s${i}`] = `require "include"; include "s${i + 1}";`;
  chain['personal:s20'] = 'keep;';
  assert.match(
    runWithHost(`${REQ}include "s0";`, scripts(chain)).error?.message ?? '',
    /too deeply nested includes \(the limit is 10\)/,
  );
  chain['personal:s9'] = 'require "fileinto"; fileinto "deep";';
  assert.deepEqual(runWithHost(`${REQ}include "s0";`, scripts(chain)).actions, into('deep'));
});

test('§3.3: return ends the included script; stop in it ends everything', () => {
  const host = scripts({
    'personal:ret': 'require ["include", "fileinto"]; fileinto "r1"; if true { return; } fileinto "r2";',
    'personal:stop': 'require "fileinto"; fileinto "s1"; stop; fileinto "s2";',
  });
  assert.deepEqual(runWithHost(`${REQ}include "ret"; fileinto "main";`, host).actions, into('r1', 'main'));
  assert.deepEqual(runWithHost(`${REQ}include "stop"; fileinto "main";`, host).actions, into('s1'));
  // In the main script, return is like stop.
  assert.deepEqual(runWithHost(`${REQ}fileinto "a"; return; fileinto "b";`, host).actions, into('a'));
});

test('§3.4: variables are local to each script unless declared global', () => {
  const host = scripts({
    'personal:inc':
      'require ["include", "variables", "fileinto"]; global "shared"; fileinto "in-${shared}-${local}"; set "shared" "from-inc"; set "local" "inc-local";',
  });
  const r = runWithHost(
    `${REQ}global "shared"; set "shared" "main"; set "local" "main-local"; include "inc"; fileinto "out-\${shared}-\${local}";`,
    host,
  );
  assert.equal(r.error, null);
  assert.deepEqual(r.actions, into('in-main-', 'out-from-inc-main-local'));
});

test('§3.5: the "global" namespace reaches shared variables without a declaration', () => {
  const host = scripts({
    'personal:inc':
      'require ["include", "variables", "fileinto"]; fileinto "in-${global.flag}"; set "global.flag" "seen";',
  });
  const r = runWithHost(`${REQ}set "global.flag" "on"; include "inc"; fileinto "out-\${global.flag}";`, host);
  assert.deepEqual(r.actions, into('in-on', 'out-seen'));
  assert.deepEqual(errorCodes('require "variables"; set "x" "${global.x}";'), [
    'variables.namespace-not-required',
  ]);
});

test('§3: compile-time errors: require, constant names, valid names, global needs variables', () => {
  assert.deepEqual(errorCodes('include "a";'), ['require.missing']);
  assert.deepEqual(errorCodes('require ["include", "variables"]; set "n" "a"; include "${n}";'), [
    'include.name-not-constant',
  ]);
  assert.deepEqual(errorCodes('require "include"; include "a/b";'), ['include.invalid-name']);
  assert.deepEqual(errorCodes('require "include"; include "";'), ['include.invalid-name']);
  assert.deepEqual(errorCodes('require "include"; include "a\\u0001";'.replace('\\u0001', '\u0001')), [
    'include.invalid-name',
  ]);
  assert.deepEqual(errorCodes('require "include"; include :personal :global "a";'), [
    'argument.duplicate-group',
  ]);
  assert.deepEqual(errorCodes('require "include"; global "x";'), ['require.missing']);
  assert.deepEqual(errorCodes('require ["include", "variables"]; global ["ok", "not ok"];'), [
    'global.invalid-name',
  ]);
  assert.deepEqual(errorCodes('require ["include", "variables"]; include :once :optional "a"; return;'), []);
});
