// RFC 6134 §2.5: redirect :list sends the message to every member of an external list, which the
// host gives (SieveHost.listMembers); RFC 5228 §2.10.3's limits and duplicate rules apply to
// each member's redirect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type SieveHost } from '../../../../src/sieve/index.js';
import { errorCodes } from '../helpers.js';
import { hostActions, runWithHost } from './with-host.js';

const TEAM = 'tag:example.com,2010-05-28:team';
const lists: Record<string, string[]> = {
  [TEAM]: ['ann@example.com', 'bo@example.net'],
  'tag:example.com,2010-05-28:empty': [],
  'tag:example.com,2010-05-28:five': [
    '1@example.com',
    '2@example.com',
    '3@example.com',
    '4@example.com',
    '5@example.com',
  ],
  'tag:example.com,2010-05-28:bad': ['ann@example.com', 'not an address'],
};
const host: SieveHost = { listMembers: (list) => lists[list] ?? null };

test('§2.5: redirect :list needs require "extlists"', () => {
  assert.deepEqual(errorCodes(`require "copy";\nredirect :list "${TEAM}";`), ['require.missing']);
  assert.deepEqual(errorCodes(`require "extlists";\nredirect :list "${TEAM}";`), []);
});

test('§2.5: the argument is a list name, not an address', () => {
  assert.deepEqual(errorCodes(`require "extlists";\nredirect :list "${TEAM}";`), []);
  assert.deepEqual(errorCodes(`require "extlists";\nredirect "${TEAM}";`), ['redirect.invalid-address']);
});

test('§2.5: one redirect per member, and the implicit keep is cancelled', () => {
  const acts = hostActions(`require "extlists";\nredirect :list "${TEAM}";`, host);
  assert.deepEqual(acts, [
    { type: 'redirect', address: 'ann@example.com', copy: false },
    { type: 'redirect', address: 'bo@example.net', copy: false },
  ]);
});

test('with :copy (RFC 3894) each member gets a copy and the message is kept', () => {
  const acts = hostActions(`require ["extlists", "copy"];\nredirect :copy :list "${TEAM}";`, host);
  assert.deepEqual(acts, [
    { type: 'redirect', address: 'ann@example.com', copy: true },
    { type: 'redirect', address: 'bo@example.net', copy: true },
    { type: 'keep', flags: [] },
  ]);
});

test('RFC 5228 §2.10.3: a member also redirected to by address is one redirect', () => {
  const acts = hostActions(
    `require "extlists";\nredirect "bo@example.net";\nredirect :list "${TEAM}";`,
    host,
  );
  assert.deepEqual(
    acts.map((a) => a.type === 'redirect' && a.address),
    ['bo@example.net', 'ann@example.com'],
  );
});

test('the redirect limit counts every member', () => {
  const r = runWithHost('require "extlists";\nredirect :list "tag:example.com,2010-05-28:five";', host);
  assert.match(r.error?.message ?? '', /number of redirect actions exceeds policy limit \(5 > 4\)/);
});

test('an unknown list is a run-time error, and so is a host without lists', () => {
  const unknown = runWithHost(
    'require "extlists";\nredirect :list "tag:example.com,2010-05-28:nobody";',
    host,
  );
  assert.match(
    unknown.error?.message ?? '',
    /redirect :list: unknown list "tag:example.com,2010-05-28:nobody"/,
  );
  assert.equal(unknown.error?.line, 2);
  const none = runWithHost(`require "extlists";\nredirect :list "${TEAM}";`, {});
  assert.match(none.error?.message ?? '', /unknown list/);
});

test('an empty list redirects nowhere, so the implicit keep stays', () => {
  const acts = hostActions('require "extlists";\nredirect :list "tag:example.com,2010-05-28:empty";', host);
  assert.deepEqual(acts, [{ type: 'keep', flags: [] }]);
});

test('a member that is not an address is a run-time error naming the list', () => {
  const r = runWithHost('require "extlists";\nredirect :list "tag:example.com,2010-05-28:bad";', host);
  assert.match(
    r.error?.message ?? '',
    /invalid redirect address "not an address" on list "tag:example.com,2010-05-28:bad"/,
  );
});

test('the list name may come from a variable', () => {
  const acts = hostActions(
    `require ["extlists", "variables"];\nset "l" "${TEAM}";\nredirect :list "\${l}";`,
    host,
  );
  assert.equal(acts.length, 2);
});
