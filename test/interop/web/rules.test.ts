// The rule list and the rule editor of the web editor in Debian's chromium, driven by
// playwright-core, against `sievert serve` started as a process: create rules through the editor,
// switch one off and move them (keyboard and drag), and check each time that the stored script is
// what src/rules gives for that one edit, so that only that rule's lines changed. Then scripts from
// other products: Open-Xchange names, a diverged RainLoop rule, raw code shown with its code, and a
// 1 MB script. Writes docs/screenshots/rules.png and rule-editor.png with SIEVERT_SCREENSHOTS=1.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  allRules,
  moveRule,
  readRules,
  removeRule,
  rename,
  RuleEditError,
  setEnabled,
} from '../../../src/rules/index.js';
import {
  compiles,
  FIXTURES,
  putAndOpen as putAndOpenIn,
  ruleNamed,
  shot as shotOf,
  skip,
  startWeb,
  stored as storedIn,
  type WebHarness,
} from './harness.js';

// A rule name with the characters conventions must encode.
const ODD_NAME = 'Boss ]|*/ 1';

let web: WebHarness | undefined;
let page: Page;

before(async () => {
  if (skip) return;
  web = await startWeb('rules');
  page = await web.loggedInPage({ viewport: { width: 1100, height: 900 }, timeout: 10_000 });
});

after(() => web?.close());

// This file's tests share one page.
const shot = (name: string) => shotOf(page, name);
const stored = (name: string) => storedIn(page, name);
const putAndOpen = (name: string, source: string) => putAndOpenIn(page, name, source);
const statusText = () => page.locator('.rules-status .message');
const names = (source: string): (string | null)[] => allRules(readRules(source).items).map((r) => r.name);

test('create rules in the editor, switch one off, move them by keyboard and by drag', { skip }, async () => {
  await page.getByLabel('New script name').fill('filters');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('tab', { name: 'Rules', selected: true }).waitFor();
  // The new script's `keep;` is a rule without a name or a convention.
  await page.getByText('(unnamed rule 1)').waitFor();

  // A rule through the editor: a header condition and a fileinto.
  await page.getByRole('button', { name: 'New rule' }).click();
  await page.getByLabel('Rule name').fill('Invoices');
  await page.getByRole('button', { name: 'Add condition' }).click();
  await page.getByLabel('Values (one a line; any of them), condition 1').fill('invoice');
  await page.getByLabel('Folder, action 1').fill('Invoices');
  await page.getByRole('button', { name: 'Save rule' }).click();
  await statusText().filter({ hasText: 'Added the rule "Invoices": stored' }).waitFor();
  let source = await stored('filters');
  compiles(source);
  const invoices = ruleNamed(source, 'Invoices');
  assert.deepEqual(invoices.condition, {
    type: 'header',
    match: 'contains',
    headers: [{ value: 'Subject', raw: '"Subject"' }],
    keys: [{ value: 'invoice', raw: '"invoice"' }],
  });
  assert.deepEqual(
    invoices.actions.map((a) => a.type === 'fileinto' && a.mailbox.value),
    ['Invoices'],
  );
  assert.match(source, /^require \["fileinto"\];$/m);

  // A second one named with "]", "|" and "*/": an address test, two actions.
  await page.getByRole('button', { name: 'New rule' }).click();
  await page.getByLabel('Rule name').fill(ODD_NAME);
  await page.getByRole('button', { name: 'Add condition' }).click();
  await page.getByLabel('Test, condition 1').selectOption('address');
  await page.getByLabel('Match, condition 1').selectOption('is');
  await page.getByLabel('Values (one a line; any of them), condition 1').fill('boss@example.com');
  await page.getByLabel('Folder, action 1').fill('Boss');
  await page.getByRole('button', { name: 'Add action' }).click();
  await page.getByLabel('Action, action 2').selectOption('stop');
  await shot('rule-editor');
  await page.getByRole('button', { name: 'Save rule' }).click();
  await statusText()
    .filter({ hasText: `Added the rule "${ODD_NAME}": stored` })
    .waitFor();
  source = await stored('filters');
  compiles(source);
  assert.deepEqual(names(source), [null, 'Invoices', ODD_NAME]);
  const boss = ruleNamed(source, ODD_NAME);
  assert.equal(boss.condition?.type, 'address');
  assert.deepEqual(
    boss.actions.map((a) => a.type),
    ['fileinto', 'stop'],
  );

  // Switched off: the stored text is what setEnabled gives, and only the rule's lines differ.
  const beforeOff = source;
  await page.getByRole('switch', { name: 'Enabled: Invoices' }).uncheck();
  await statusText().filter({ hasText: 'Switched off "Invoices": stored, 1 line changed' }).waitFor();
  source = await stored('filters');
  assert.equal(source, setEnabled(beforeOff, 'Invoices', false));
  assert.equal(ruleNamed(source, 'Invoices').enabled, false);
  const was = beforeOff.split('\n');
  const now = source.split('\n');
  assert.equal(now.length, was.length);
  const span = ruleNamed(beforeOff, 'Invoices').span;
  const changed = now.flatMap((l, i) => (l === was[i] ? [] : [i + 1]));
  assert.ok(changed.length > 0);
  for (const line of changed)
    assert.ok(line >= span.startLine && line <= span.endLine, `line ${line} is not the rule's`);
  assert.equal(await page.getByRole('switch', { name: 'Enabled: Invoices' }).isChecked(), false);
  compiles(source);

  // Moved up by keyboard: the stored text is moveRule's, and the focus stays on the rule's buttons.
  const beforeMove = source;
  const up = page.getByRole('button', { name: `Move ${ODD_NAME} up` });
  await up.focus();
  await page.keyboard.press('Enter');
  await statusText()
    .filter({ hasText: `Moved "${ODD_NAME}" up: stored` })
    .waitFor();
  source = await stored('filters');
  assert.equal(source, moveRule(beforeMove, ODD_NAME, 'Invoices'));
  assert.deepEqual(names(source), [null, ODD_NAME, 'Invoices']);
  const focused = await page.locator(':focus').getAttribute('aria-label');
  assert.equal(focused, `Move ${ODD_NAME} up`);

  // And back by drag and drop: Invoices dropped on the upper half of the other rule.
  const beforeDrag = source;
  const row = (name: string) =>
    page.locator('li[data-unit]').filter({ has: page.getByText(name, { exact: true }) });
  await row('Invoices').dragTo(row(ODD_NAME), { targetPosition: { x: 40, y: 6 } });
  await statusText().filter({ hasText: 'Moved "Invoices": stored' }).waitFor();
  source = await stored('filters');
  assert.equal(source, moveRule(beforeDrag, 'Invoices', ODD_NAME));
  assert.deepEqual(names(source), [null, 'Invoices', ODD_NAME]);
});

test('a rule that would not compile is not saved, and the engine says why', { skip }, async () => {
  const before = await stored('filters');
  await page.getByRole('button', { name: `Edit ${ODD_NAME}` }).click();
  await page.getByLabel('Match, condition 1').selectOption('regex');
  await page.getByLabel('Values (one a line; any of them), condition 1').fill('boss(');
  await page.getByRole('button', { name: 'Save rule' }).click();
  await page.getByRole('alert').filter({ hasText: 'Not saved: the script would not compile' }).waitFor();
  await page.locator('.rules-status .diagnostics li.error').first().waitFor();
  assert.equal(await stored('filters'), before);
  // A newline cannot be typed into the name; an empty name is refused for a new rule.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'New rule' }).click();
  await page.getByRole('button', { name: 'Save rule' }).click();
  await page.getByRole('alert').filter({ hasText: 'Give the rule a name.' }).waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await stored('filters'), before);
});

test('a rule deleted in the list: the stored text is what removeRule gives', { skip }, async () => {
  const before = await stored('filters');
  await page.getByRole('button', { name: 'Delete Invoices' }).click();
  await statusText().filter({ hasText: 'Deleted the rule "Invoices": stored' }).waitFor();
  const source = await stored('filters');
  assert.equal(source, removeRule(before, 'Invoices'));
  assert.deepEqual(names(source), [null, ODD_NAME]);
});

test('a refused edit shows the reason, and unsaved raw changes hold the rule list', { skip }, async () => {
  const tine = readFileSync(join(FIXTURES, 'tine', 'felamimail.sieve'), 'utf8');
  // The rules layer's own reason is what the page shows.
  const refusal = (() => {
    try {
      rename(tine, 0, 'Boss mail');
    } catch (e) {
      return e instanceof RuleEditError ? e.message : String(e);
    }
    assert.fail('renaming the first Tine rule is refused');
  })();
  await putAndOpen('tine', tine);
  await page.getByRole('button', { name: 'Edit rule 1' }).click();
  await page.getByLabel('Rule name').fill('Boss mail');
  await page.getByRole('button', { name: 'Save rule' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: `Not changed: ${refusal}.` })
    .waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await stored('tine'), tine);

  // Text typed in the Script tab and not saved: the list shows it, and waits.
  await page.getByRole('tab', { name: 'Script' }).click();
  await page.getByLabel('Sieve source').fill(tine + 'keep;\n');
  await page.getByRole('tab', { name: 'Rules' }).click();
  await page.getByText('The Script tab holds changes that are not saved').waitFor();
  assert.equal(await page.getByRole('button', { name: 'New rule' }).isDisabled(), true);
  assert.equal(await page.getByRole('switch', { name: 'Enabled: rule 3' }).isDisabled(), true);
  await page.getByRole('button', { name: 'Discard the unsaved changes' }).click();
  assert.equal(await page.getByRole('switch', { name: 'Enabled: rule 3' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'New rule' }).isDisabled(), false);
});

test('an uploaded Open-Xchange script lists its rules by name', { skip }, async () => {
  await page
    .getByLabel('Upload a .sieve file')
    .setInputFiles(join(FIXTURES, 'open-xchange', 'mailfilter.sieve'));
  await page.getByText('Uploaded "mailfilter".').waitFor();
  await page.getByRole('button', { name: 'mailfilter', exact: true }).click();
  await page.getByText('Convention: Open-Xchange.').waitFor();
  const shown = await page.locator('.rule-name').allTextContents();
  assert.deepEqual(shown, ['Boss', 'Old newsletters', 'Vacation Notice']);
  assert.equal(await page.getByRole('switch', { name: 'Enabled: Old newsletters' }).isChecked(), false);
  await page.locator('.purpose-vacation').waitFor();
  await shot('rules');
});

test('a diverged RainLoop rule is flagged', { skip }, async () => {
  const file = join(FIXTURES, 'rainloop', 'diverged.sieve');
  const why = allRules(readRules(readFileSync(file, 'utf8')).items)[0]?.diverged;
  assert.ok(why, 'the rules layer flags the fixture');
  await page.getByLabel('Upload a .sieve file').setInputFiles(file);
  await page.getByText('Uploaded "diverged".').waitFor();
  await page.getByRole('button', { name: 'diverged', exact: true }).click();
  await page.locator('.diverged-flag', { hasText: 'diverged' }).waitFor();
  await page.locator('p.diverged', { hasText: why }).waitFor();
});

test('a script in no convention: its rules listed, raw code shown with its code', { skip }, async () => {
  const hand = readFileSync(join(FIXTURES, 'none', 'hand-written.sieve'), 'utf8')
    .replace('"variables"]', '"variables", "editheader"]')
    .concat('addheader "X-Filtered" "sievert";\n');
  compiles(hand);
  await putAndOpen('by-hand', hand);
  await page.getByText('No known convention').waitFor();
  // The command the editor does not know: shown read-only, with its code and the reason.
  const raw = page.locator('li.raw');
  await raw.getByText('addheader "X-Filtered" "sievert";').waitFor();
  const doc = readRules(hand);
  const rawItem = doc.items.find((i) => i.kind === 'raw');
  assert.ok(rawItem?.kind === 'raw' && rawItem.text.includes('addheader'));
  await raw.getByText(rawItem.reason).waitFor();
  // Rules the model cannot hold: their code, and why.
  const [, , , ticket, nested] = allRules(doc.items);
  assert.ok(ticket && !ticket.editable && nested && !nested.editable);
  await page.getByText(`Read-only: ${nested.reason}.`).waitFor();
  await page.getByText(`Read-only: ${ticket.reason}.`).waitFor();
  assert.match((await page.getByLabel('Code of rule 5').textContent()) ?? '', /if size :over 10M/);
  assert.match((await page.getByLabel('Code of rule 4').textContent()) ?? '', /set "ticket" "\$\{2\}";/);
  // The if/elsif/else chain is one group: its branches have no Move buttons of their own.
  await page.getByRole('group', { name: 'Branches of rule 1' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Move rule 2 up' }).count(), 0);
  await page.getByRole('button', { name: 'Move rule 1 down' }).waitFor();
});

test('a 1 MB script: the list shows the first items, more on demand', { skip }, async () => {
  let big = 'require ["fileinto"];\n';
  for (let i = 0; big.length < 1000 * 1000; i++)
    big += `# rule:[Rule ${i}]\nif header :contains "subject" "word ${i}" {\n\tfileinto "Folder ${i}";\n}\n`;
  const items = readRules(big).items.length;
  await putAndOpen('big', big);
  await page.getByText(`100 of ${items} items shown.`).waitFor();
  assert.equal(await page.locator('.rule-list > li').count(), 100);
  await page.getByRole('button', { name: 'Show 100 more' }).click();
  await page.getByText(`200 of ${items} items shown.`).waitFor();
  assert.equal(await page.locator('.rule-list > li').count(), 200);
  // And it can still be edited: one switch, one line changed.
  await page.getByRole('switch', { name: 'Enabled: Rule 150' }).uncheck();
  await statusText().filter({ hasText: 'Switched off "Rule 150": stored, 1 line changed' }).waitFor();
  assert.equal(await stored('big'), setEnabled(big, 'Rule 150', false));
});
