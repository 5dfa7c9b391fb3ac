// The rule editor's form (web/src/ruleForm.ts) against the rules layer's model, without a
// browser: values edited in the form keep the spelling of the strings they did not change, the
// comparator follows the match type, and every field the form refuses says which row and why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allRules, readRules, type Rule } from '../../../src/rules/index.js';
import {
  actionFromForm,
  actionsToForm,
  conditionsFromForm,
  conditionsToForm,
  FormError,
  newAction,
  newCondition,
  type ActionForm,
  type ConditionForm,
} from '../../../web/src/ruleForm.js';

function onlyRule(source: string): Rule {
  const [rule] = allRules(readRules(source).items);
  assert.ok(rule, source);
  return rule;
}

test('an unchanged value keeps its spelling; a changed one is written anew', () => {
  const rule = onlyRule(
    'require "fileinto";\n# rule:[r]\nif header :contains "Subject" ["\\x", "y"] {\n  fileinto "Box";\n}\n',
  );
  const form = conditionsToForm(rule.condition);
  assert.ok(form);
  const c = form.conditions[0]!;
  assert.equal(c.keys, 'x\ny');
  const same = conditionsFromForm(form);
  assert.ok(same.type === 'header');
  assert.equal(same.keys[0]!.raw, '"\\x"', 'the escaped spelling stays');

  const edited = conditionsFromForm({ ...form, conditions: [{ ...c, keys: 'x\nz' }] });
  assert.ok(edited.type === 'header');
  assert.deepEqual(
    edited.keys.map((k) => [k.value, k.raw]),
    [
      ['x', '"\\x"'],
      ['z', undefined],
    ],
  );

  const [act] = actionsToForm(rule.actions)!;
  const moved = actionFromForm({ ...act!, mailbox: 'Other' }, 1);
  assert.deepEqual(moved, { type: 'fileinto', mailbox: { value: 'Other' } });
});

test(':count and a spam score compare numbers; the numeric comparator goes where it cannot match', () => {
  const form = (c: Partial<ConditionForm>) => ({
    join: 'allof' as const,
    group: false,
    conditions: [{ ...newCondition(c.kind), keys: '3', score: '5', ...c }],
  });
  const count = conditionsFromForm(form({ match: 'count', relation: 'gt' }));
  assert.ok(count.type === 'header');
  assert.equal(count.comparator?.value, 'i;ascii-numeric');
  const spam = conditionsFromForm(form({ kind: 'spamtest', match: 'value', relation: 'ge' }));
  assert.ok(spam.type === 'spamtest');
  assert.equal(spam.comparator?.value, 'i;ascii-numeric');

  const numeric = onlyRule(
    'require ["relational", "comparator-i;ascii-numeric"];\n# rule:[n]\nif header :comparator "i;ascii-numeric" :value "gt" "X-Score" "3" {\n  discard;\n}\n',
  );
  const f = conditionsToForm(numeric.condition)!;
  const kept = conditionsFromForm(f);
  assert.ok(kept.type === 'header');
  assert.equal(kept.comparator?.value, 'i;ascii-numeric');
  const contains = conditionsFromForm({ ...f, conditions: [{ ...f.conditions[0]!, match: 'contains' }] });
  assert.ok(contains.type === 'header');
  assert.equal(contains.comparator, undefined, 'RFC 4790 §9.1: no substring match with i;ascii-numeric');
});

test('each field the form refuses names its row and what would be accepted', () => {
  const condition =
    (c: Partial<ConditionForm>, n = 2) =>
    () =>
      conditionsFromForm({
        join: 'anyof',
        group: n === 2,
        conditions: [
          ...(n === 2 ? [{ ...newCondition(), keys: 'ok' }] : []),
          { ...newCondition(c.kind), keys: 'v', ...c },
        ],
      });
  const refused: [() => unknown, RegExp][] = [
    [condition({ keys: '' }), /^Condition 2: give at least one value to match\.$/],
    [condition({ headers: ' , ' }), /^Condition 2: give at least one header name\.$/],
    [condition({ headers: 'Subject, X Spam' }), /^Condition 2: a header name is printable ASCII/],
    [condition({ headers: 'Subject:' }), /^Condition 2: a header name is printable ASCII/],
    [condition({ kind: 'size', size: '10.5' }), /^Condition 2: the size is a whole number\.$/],
    [condition({ kind: 'date', headers: ' ' }), /^Condition 2: give the header holding the date\.$/],
    [condition({ kind: 'spamtest', score: 'high' }), /^Condition 2: the spam score is a whole number\.$/],
  ];
  const action = (a: Partial<ActionForm>) => () => actionFromForm({ ...newAction(a.kind), ...a }, 3);
  refused.push(
    [action({ kind: 'fileinto', mailbox: ' ' }), /^Action 3: give the folder\.$/],
    [action({ kind: 'redirect', address: 'bob' }), /^Action 3: "bob" is not an e-mail address/],
    [action({ kind: 'redirect', address: 'a b@example.org' }), /is not an e-mail address/],
    [action({ kind: 'reject', text: '' }), /^Action 3: give the reason sent back\.$/],
    [action({ kind: 'addflag', flags: '  ' }), /^Action 3: give at least one flag/],
    [action({ kind: 'vacation', days: '7d', text: 'away' }), /^Action 3: the days are a whole number\.$/],
    [action({ kind: 'vacation', text: ' ' }), /^Action 3: give the message of the reply\.$/],
  );
  for (const [f, message] of refused)
    assert.throws(f, (e: unknown) => e instanceof FormError && message.test(e.message));

  // What those checks accept, at their edges.
  assert.deepEqual(condition({ kind: 'size', size: ' 0 ', unit: '' }, 1)(), {
    type: 'size',
    over: true,
    limit: '0',
  });
  const header = condition({ headers: '!, ~9' }, 1)();
  assert.ok(header.type === 'header');
  assert.deepEqual(
    header.headers.map((h) => h.value),
    ['!', '~9'],
    'the first and last printable characters',
  );
  assert.deepEqual(action({ kind: 'redirect', address: ' bob@example.org ' })(), {
    type: 'redirect',
    address: { value: 'bob@example.org' },
  });
});
