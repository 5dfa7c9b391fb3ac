// RFC 5231: the relational extension (:count and :value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actions, errorCodes, errors, runScript } from '../helpers.js';
import { parseRelation } from '../../../../src/sieve/extensions/relational/index.js';

const R = 'require ["relational", "comparator-i;ascii-numeric", "fileinto", "variables", "envelope"];\n';
const MSG = [
  'From: Alice <alice@example.org>',
  'To: bob@example.com, "Carol" <carol@example.net>, dave@example.com',
  'Cc: eve@example.com',
  'X-Priority: 3',
  'X-Priority: 10',
  'X-Empty:',
  'Subject: Meeting tomorrow',
  '',
  'body',
  '',
].join('\r\n');

/** The mailboxes the script files into, in order. */
function folders(body: string, message = MSG): string[] {
  return actions(R + body, message).flatMap((a) => (a.type === 'fileinto' ? [a.mailbox] : []));
}
/** Whether `test` is true for MSG. */
function holds(t: string, message = MSG): boolean {
  return folders(`if ${t} { fileinto "yes"; }`, message).includes('yes');
}
const NUM = ':comparator "i;ascii-numeric"';

test('§4.1 :value with i;ascii-numeric compares numbers, any value against any key', () => {
  assert.equal(holds(`header :value "gt" ${NUM} "x-priority" "5"`), true); // 10 > 5
  assert.equal(holds(`header :value "gt" ${NUM} "x-priority" "10"`), false);
  assert.equal(holds(`header :value "ge" ${NUM} "x-priority" "10"`), true);
  assert.equal(holds(`header :value "lt" ${NUM} "x-priority" "3"`), false);
  assert.equal(holds(`header :value "le" ${NUM} "x-priority" "3"`), true);
  assert.equal(holds(`header :value "eq" ${NUM} "x-priority" "03"`), true);
  // "ne" is true when some value differs from some key (not the negation of "eq").
  assert.equal(holds(`header :value "ne" ${NUM} "x-priority" "3"`), true);
  assert.equal(holds(`header :value "ne" ${NUM} "x-priority" ["3", "10"]`), true);
  assert.equal(holds(`header :value "eq" ${NUM} "x-priority" ["7", "10"]`), true);
});

test('§4.1 RFC 4790 §9.1: a value not starting with a digit is positive infinity', () => {
  assert.equal(holds(`header :value "gt" ${NUM} "subject" "99999"`), true);
  assert.equal(holds(`header :value "eq" ${NUM} "subject" "abc"`), true);
  assert.equal(holds(`header :value "lt" ${NUM} "subject" "99999"`), false);
});

test('§4.1 :value under i;ascii-casemap, i;octet and i;unicode-casemap orders strings', () => {
  assert.equal(holds('header :value "ge" "subject" "meeting"'), true); // casemap: "MEETING T…" ≥ "MEETING"
  assert.equal(holds('header :value "ge" :comparator "i;octet" "subject" "meeting"'), false); // "M" < "m"
  assert.equal(holds('header :value "lt" :comparator "i;octet" "subject" "meeting"'), true);
  // As strings "10" < "9": the comparator decides, not the look of the value.
  assert.equal(holds('header :value "lt" :comparator "i;octet" "x-priority" "9"'), true);
  const uni = 'require "comparator-i;unicode-casemap";\n';
  const m = 'Subject: Ärger\r\n\r\nx\r\n';
  assert.deepEqual(
    actions(
      `${R}${uni}if header :value "eq" :comparator "i;unicode-casemap" "subject" "ärger" { fileinto "eq"; }`,
      m,
    ).map((a) => a.type),
    ['fileinto'],
  );
});

test('§4.2 :count counts header fields, addresses and envelope parts', () => {
  assert.equal(holds(`header :count "eq" ${NUM} "x-priority" "2"`), true);
  assert.equal(holds(`header :count "eq" ${NUM} ["x-priority", "subject"] "3"`), true);
  assert.equal(holds(`header :count "eq" ${NUM} "x-empty" "1"`), true); // an empty field counts
  assert.equal(holds(`header :count "eq" ${NUM} "x-missing" "0"`), true);
  assert.equal(holds(`address :count "eq" ${NUM} "to" "3"`), true);
  assert.equal(holds(`address :count "eq" ${NUM} ["to", "cc"] "4"`), true);
  assert.equal(holds(`envelope :count "eq" ${NUM} ["from", "to"] "2"`), true);
});

test('§4.2 :count compares the count as a string with the comparator (i;octet: "10" < "9")', () => {
  const many = [
    'X-A: 1',
    'X-A: 2',
    'X-A: 3',
    'X-A: 4',
    'X-A: 5',
    'X-A: 6',
    'X-A: 7',
    'X-A: 8',
    'X-A: 9',
    'X-A: 10',
    '',
    'b',
    '',
  ].join('\r\n');
  assert.equal(holds(`header :count "gt" ${NUM} "x-a" "9"`, many), true);
  assert.equal(holds('header :count "gt" :comparator "i;octet" "x-a" "9"', many), false);
  assert.equal(holds('header :count "eq" "x-a" "10"', many), true);
});

test('§4.2 with variables: the string test counts only non-empty strings (RFC 5229 §5)', () => {
  assert.equal(holds(`string :count "eq" ${NUM} ["a", "", "b"] "2"`), true);
});

test('§4: relational matches set no match variables', () => {
  assert.deepEqual(
    folders(
      `if header :matches "subject" "M*" {} if header :value "gt" "subject" "a" { fileinto "[\${1}]"; }`,
    ),
    ['[eeting tomorrow]'],
  );
});

test('§5: the relation must be one of the six; case does not matter (RFC 5234 §2.3)', () => {
  assert.equal(parseRelation('GT'), 'gt');
  assert.equal(parseRelation('foo'), null);
  assert.equal(parseRelation(''), null);
  assert.equal(parseRelation('toString'), null);
  assert.equal(holds(`header :value "GT" ${NUM} "x-priority" "5"`), true);
});

test('§5: an unknown constant relation is an error at compile time, at the relation', () => {
  const e = errors(`${R}if header :value "foo" "subject" "x" { keep; }`);
  assert.deepEqual(
    e.map((d) => d.code),
    ['relational.invalid-relation'],
  );
  assert.equal(e[0]!.line, 2);
  assert.equal(e[0]!.column, 18);
});

test('§5: a relation from a variable is checked when it runs', () => {
  assert.deepEqual(
    folders(`set "r" "gt"; if header :value "\${r}" ${NUM} "x-priority" "5" { fileinto "gt"; }`),
    ['gt'],
  );
  const r = runScript(`${R}set "r" "over"; if header :value "\${r}" "subject" "x" { keep; }`, MSG);
  assert.match(r.error?.message ?? '', /relation of :value must be one of/);
  assert.deepEqual(r.actions, [{ type: 'keep', flags: [] }]);
});

test('§5: an unknown constant relation never runs silently', () => {
  const source = `${R}if header :value "foo" "subject" "x" { fileinto "x"; }`;
  // A compile error once the validator calls MatchTypeSpec.validate; a run-time error until then.
  if (errors(source).length > 0) return;
  const r = runScript(source, MSG);
  assert.deepEqual(r.actions, [{ type: 'keep', flags: [] }]);
  assert.ok(r.error !== null);
});

test(':count and :value need require "relational" and a relation', () => {
  assert.deepEqual(errorCodes('if header :count "eq" "to" "1" { keep; }'), ['require.missing']);
  // "to" is taken as the relation, and the key list is missing.
  assert.ok(errorCodes('require "relational"; if header :value "to" { keep; }').includes('argument.count'));
  assert.deepEqual(errorCodes('require "relational"; if header :value ["eq"] "to" "x" { keep; }'), [
    'argument.tag-value',
  ]);
  assert.deepEqual(errorCodes('require "relational"; if header :count "eq" :is "to" "1" { keep; }'), [
    'argument.duplicate-group',
  ]);
});
