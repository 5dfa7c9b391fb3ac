// RFC 5233: the subaddress extension (:user and :detail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actions, errorCodes, program } from '../helpers.js';
import { parseMessage, run } from '../../../../src/sieve/index.js';
import { splitSubaddress } from '../../../../src/sieve/extensions/subaddress/index.js';

const R =
  'require ["subaddress", "envelope", "fileinto", "variables", "relational", "comparator-i;ascii-numeric"];\n';
const MSG = [
  'From: Ken <ken+sieve@example.org>',
  'To: bob@example.com, carol+@example.net, dave+x+y@example.com',
  'Cc: eve@example.com',
  'Subject: s',
  '',
  'body',
  '',
].join('\r\n');
const ENV = { from: 'ken+sieve@example.org', to: 'bob+lists@example.com' };

function folders(body: string, envelope = ENV): string[] {
  return actions(R + body, MSG, envelope).flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}
function holds(t: string, envelope = ENV): boolean {
  return folders(`if ${t} { fileinto "yes"; }`, envelope).includes('yes');
}

test('§4: :user is left of the separator, :detail right of it ("ken+sieve")', () => {
  assert.equal(holds('address :user "from" "ken"'), true);
  assert.equal(holds('address :detail "from" "sieve"'), true);
  assert.equal(holds('address :user "from" "ken+sieve"'), false);
  assert.equal(holds('envelope :user "to" "bob"'), true);
  assert.equal(holds('envelope :detail "to" "lists"'), true);
  assert.equal(holds('envelope :detail "from" "sieve"'), true);
});

test('§4: without a separator :user is the whole local part', () => {
  assert.equal(holds('address :user "cc" "eve"'), true);
  assert.equal(holds('address :user :matches "to" "bob"'), true);
});

test('§4: without a separator :detail matches no key, not even :matches "*"', () => {
  assert.equal(holds('address :detail :matches "cc" "*"'), false);
  assert.equal(holds('address :detail :contains "cc" ""'), false);
  assert.equal(holds('address :detail "cc" ""'), false);
  assert.equal(
    holds('envelope :detail :matches "to" "*"', { from: 'a@example.org', to: 'bob@example.com' }),
    false,
  );
});

test('§4: a separator with nothing after it gives the empty detail ""', () => {
  assert.equal(holds('address :detail "to" ""'), true);
  // The first address with a detail sets the match variables: carol+ (bob has none).
  assert.deepEqual(folders('if address :detail :matches "to" "*" { fileinto "[${1}]"; }'), ['[]']);
});

test('§4: the local part is split at the first separator ("dave+x+y": detail "x+y")', () => {
  assert.equal(holds('address :detail "to" "x+y"'), true);
  assert.equal(holds('address :user "to" "dave"'), true);
});

test('§4 example: sorting by the envelope recipient detail', () => {
  const script = [
    'if envelope :user "to" "postmaster" { fileinto "inbox.postmaster"; stop; }',
    'if envelope :detail "to" "mailinglist" { fileinto "inbox.mailinglist"; stop; }',
    'if envelope :detail "to" "" { fileinto "inbox.empty"; stop; }',
    'fileinto "inbox.other";',
  ].join('\n');
  assert.deepEqual(folders(script, { from: 'a@example.org', to: 'ken+mailinglist@example.org' }), [
    'inbox.mailinglist',
  ]);
  assert.deepEqual(folders(script, { from: 'a@example.org', to: 'ken+@example.org' }), ['inbox.empty']);
  assert.deepEqual(folders(script, { from: 'a@example.org', to: 'postmaster@example.org' }), [
    'inbox.postmaster',
  ]);
  assert.deepEqual(folders(script, { from: 'a@example.org', to: 'ken@example.org' }), ['inbox.other']);
});

test('the null reverse path compares as "" for :user and :detail (RFC 5228 §5.4)', () => {
  assert.equal(holds('envelope :user "from" ""', { from: '', to: 'bob@example.com' }), true);
  assert.equal(holds('envelope :detail "from" ""', { from: '', to: 'bob@example.com' }), true);
});

test('§3: :user and :detail need require "subaddress" and exclude the other address parts', () => {
  assert.deepEqual(errorCodes('if address :user "to" "x" { keep; }'), ['require.missing']);
  assert.deepEqual(errorCodes('require "subaddress"; if address :user :domain "to" "x" { keep; }'), [
    'argument.duplicate-group',
  ]);
  assert.deepEqual(errorCodes('require "subaddress"; if header :user "to" "x" { keep; }'), [
    'argument.unknown-tag',
  ]);
});

test('separators: the first occurrence of any of them; the longer one where two start together', () => {
  assert.deepEqual(splitSubaddress('ken+sieve', ['+']), { user: 'ken', detail: 'sieve' });
  assert.deepEqual(splitSubaddress('ken-a+b', ['+', '-']), { user: 'ken', detail: 'a+b' });
  assert.deepEqual(splitSubaddress('ken+a-b', ['+', '-']), { user: 'ken', detail: 'a-b' });
  assert.deepEqual(splitSubaddress('ken--a', ['-', '--']), { user: 'ken', detail: 'a' });
  assert.deepEqual(splitSubaddress('ken', ['+', '-']), { user: 'ken', detail: null });
  assert.deepEqual(splitSubaddress('ken+', ['+']), { user: 'ken', detail: '' });
  assert.deepEqual(splitSubaddress('+x', ['+']), { user: '', detail: 'x' });
  assert.deepEqual(splitSubaddress('a+b', ['']), { user: 'a+b', detail: null });
  // RFC 3598's example of another separator: "5551212#123".
  assert.deepEqual(splitSubaddress('5551212#123', ['#']), { user: '5551212', detail: '123' });
});

test('host.subaddressSeparators replaces "+" in address and envelope tests', () => {
  const host = { subaddressSeparators: ['-', '.'] };
  const p = program(
    `${R}if envelope :detail "to" "news" { fileinto "env"; } if address :detail "to" "x+y" { fileinto "hdr"; }`,
  );
  const r = run(p, {
    message: parseMessage(new TextEncoder().encode(MSG)),
    envelope: { from: 'a@example.org', to: 'ken-news@example.org' },
    host,
  });
  // dave+x+y has no "-" or ".": no detail, so only the envelope test matches.
  assert.deepEqual(
    r.actions.flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : [])),
    ['env'],
  );
});
