// The special screens of the web editor, "Out of office" and "Forwarding", in Debian's chromium
// driven by playwright-core against `sievert serve`: filled in like a user does, then the stored
// script (through the API) is checked with sievert's own compile and src/rules/special.ts: it
// reads back as what was typed, and only the special rule's lines (and `require`) changed. Bad
// input shows the form's error and stores nothing. Writes docs/screenshots/vacation.png and
// forward.png with SIEVERT_SCREENSHOTS=1.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { allRules, readRules, type Rule } from '../../../src/rules/index.js';
import {
  checkForward,
  readForward,
  readVacation,
  writeVacation,
  type ForwardInput,
  type VacationInput,
} from '../../../src/rules/special.js';
import {
  compiles,
  FIXTURES,
  putAndOpen,
  ruleNamed,
  shot,
  skip,
  startWeb,
  stored,
  type WebHarness,
} from './harness.js';

let web: WebHarness | undefined;
let page: Page;

before(async () => {
  if (skip) return;
  web = await startWeb('special');
  page = await web.loggedInPage({ viewport: { width: 1100, height: 960 }, timeout: 10_000 });
});

after(() => web?.close());

// Roundcube's convention, as its managesieve plugin writes: two filter rules.
const FILTERS = [
  'require ["fileinto"];',
  '# rule:[Invoices]',
  'if header :contains "subject" "invoice"',
  '{',
  '\tfileinto "Invoices";',
  '}',
  '# rule:[Newsletters]',
  'if header :contains "list-id" "news"',
  '{',
  '\tfileinto "News";',
  '\tstop;',
  '}',
  '',
].join('\n');

const AWAY = {
  start: '2030-07-01',
  end: '2030-07-21',
  subject: 'Abwesend – außer Haus ☀',
  // A line that is a single "." ends a `text:` string unless it is doubled (RFC 5228 §2.4.2).
  reason: 'Guten Tag,\n\nich bin bis zum 21. Juli nicht im Büro.\n.\nGrüße, Zoë',
};

const lines = (source: string): string[] => source.split('\n');

/** A rule's lines, metadata included. */
const ruleLines = (source: string, r: Rule): string[] =>
  lines(source).slice(r.span.startLine - 1, r.span.endLine);

/** The lines before and after `r` in `before` are the same in `after`: only r's lines differ. */
function onlyRuleChanged(beforeText: string, afterText: string, r: Rule): void {
  const was = lines(beforeText);
  const now = lines(afterText);
  assert.deepEqual(now.slice(0, r.span.startLine - 1), was.slice(0, r.span.startLine - 1), 'lines above');
  const below = was.length - r.span.endLine;
  assert.deepEqual(now.slice(now.length - below), was.slice(was.length - below), 'lines below');
}

/** The fields of the "Out of office" screen as the stored script says them. */
function vacationOf(source: string): VacationInput | null {
  const v = readVacation(source);
  if (!v) return null;
  const { enabled, days, seconds, subject, from, addresses, reason, start, end } = v;
  const all = { enabled, days, seconds, subject, from, addresses, reason, start, end };
  return Object.fromEntries(
    Object.entries(all).filter(([, x]) => x !== undefined),
  ) as unknown as VacationInput;
}

function forwardOf(source: string): ForwardInput | null {
  const f = readForward(source);
  return f && { enabled: f.enabled, addresses: f.addresses, keepCopy: f.keepCopy };
}

/** The form of a special screen, by its heading. */
const form = (title: string) => page.getByRole('form', { name: title });
const status = (title: string) => form(title).getByRole('status');
const alert = (title: string) => form(title).getByRole('alert');

test(
  'Out of office: switched on with dates, subject and a message; off again; bad input',
  { skip },
  async () => {
    await putAndOpen(page, 'away', FILTERS);
    await page.getByRole('tab', { name: 'Out of office' }).click();
    const vacation = form('Out of office');
    await vacation.getByText('The script has no vacation rule yet').waitFor();

    const on = vacation.getByRole('switch', { name: 'Send automatic replies' });
    await on.check();
    await vacation.getByLabel('First day').fill(AWAY.start);
    await vacation.getByLabel('Last day').fill(AWAY.end);
    await vacation.getByLabel('Subject').fill(AWAY.subject);
    await vacation.getByLabel('Message').fill(AWAY.reason);
    await vacation.getByRole('button', { name: 'Save' }).click();
    await status('Out of office').filter({ hasText: 'Saved: automatic replies are on.' }).waitFor();
    await shot(page, 'vacation');

    const withVacation = await stored(page, 'away');
    compiles(withVacation);
    assert.deepEqual(vacationOf(withVacation), { enabled: true, addresses: [], ...AWAY });
    // The message's "." line is dot-stuffed in the script, and its text is stored as typed (UTF-8).
    assert.match(withVacation, /^\.\.$/m);
    assert.ok(withVacation.includes('Grüße, Zoë'));
    // The vacation rule comes first after require, so that it runs before filters that `stop`.
    const doc = readRules(withVacation);
    assert.deepEqual(
      doc.items.map((i) => i.kind),
      ['require', 'rule', 'rule', 'rule'],
    );
    const [first, ...filters] = allRules(doc.items);
    assert.equal(first?.purpose, 'vacation');
    assert.equal(first?.span.startLine, 2);
    assert.deepEqual(
      filters.map((r) => r.name),
      ['Invoices', 'Newsletters'],
    );
    // The filter rules' lines are unchanged, line for line.
    for (const name of ['Invoices', 'Newsletters'])
      assert.deepEqual(
        ruleLines(withVacation, ruleNamed(withVacation, name)),
        ruleLines(FILTERS, ruleNamed(FILTERS, name)),
        name,
      );
    assert.match(lines(withVacation)[0]!, /^require \[.*"vacation".*\];$/);

    // Switched off: only the vacation rule's lines change, and it reads back the same, off.
    await on.uncheck();
    await vacation.getByRole('button', { name: 'Save' }).click();
    await status('Out of office').filter({ hasText: 'Saved: automatic replies are off.' }).waitFor();
    const off = await stored(page, 'away');
    compiles(off);
    assert.deepEqual(vacationOf(off), { enabled: false, addresses: [], ...AWAY });
    onlyRuleChanged(withVacation, off, first);
    assert.notEqual(off, withVacation);
    assert.equal(off, writeVacation(withVacation, { ...vacationOf(withVacation)!, enabled: false }));
    assert.equal(await on.isChecked(), false);

    // The end before the start: the form says so at the field, and nothing is stored.
    await vacation.getByLabel('First day').fill('2030-07-21');
    await vacation.getByLabel('Last day').fill('2030-07-01');
    await vacation.getByRole('button', { name: 'Save' }).click();
    await alert('Out of office')
      .filter({ hasText: 'The end date (2030-07-01) is before the start date (2030-07-21).' })
      .waitFor();
    assert.equal(await vacation.getByLabel('Last day').getAttribute('aria-invalid'), 'true');
    assert.equal(await status('Out of office').textContent(), '');
    assert.equal(await stored(page, 'away'), off);

    // A period of 0 days: refused the same way.
    await vacation.getByLabel('First day').fill(AWAY.start);
    await vacation.getByLabel('Last day').fill(AWAY.end);
    await vacation.getByLabel('Reply to the same sender at most every … days').fill('0');
    await vacation.getByRole('button', { name: 'Save' }).click();
    await alert('Out of office')
      .filter({ hasText: 'The period is a whole number of days from 1 to 365.' })
      .waitFor();
    assert.equal(await alert('Out of office').getByRole('listitem').count(), 1);
    assert.equal(await stored(page, 'away'), off);
  },
);

test(
  'Forwarding: two addresses keeping a copy; a comma or a line break refused; one removed',
  { skip },
  async () => {
    await putAndOpen(page, 'forward', FILTERS);
    await page.getByRole('tab', { name: 'Forwarding' }).click();
    const forward = form('Forwarding');
    await forward.getByText('No rule forwards every message yet').waitFor();
    const address = (n: number) => forward.getByLabel(`Address ${n}`, { exact: true });

    await address(1).fill('anna@example.org');
    await forward.getByRole('button', { name: 'Add address' }).click();
    await address(2).fill('bob@example.net');
    await forward.getByRole('checkbox', { name: 'Keep a copy in this mailbox' }).check();
    await forward.getByRole('button', { name: 'Save' }).click();
    await status('Forwarding').filter({ hasText: 'Saved: forwarding is on.' }).waitFor();
    // The form is short: the image is too.
    await page.setViewportSize({ width: 1100, height: 560 });
    await shot(page, 'forward');
    await page.setViewportSize({ width: 1100, height: 960 });

    const two = await stored(page, 'forward');
    compiles(two);
    assert.deepEqual(forwardOf(two), {
      enabled: true,
      addresses: ['anna@example.org', 'bob@example.net'],
      keepCopy: true,
    });
    assert.match(two, /^\s*redirect :copy "anna@example.org";$/m);
    assert.match(two, /^\s*redirect :copy "bob@example.net";$/m);
    assert.match(lines(two)[0]!, /^require \[.*"copy".*\];$/);
    for (const name of ['Invoices', 'Newsletters'])
      assert.deepEqual(
        ruleLines(two, ruleNamed(two, name)),
        ruleLines(FILTERS, ruleNamed(FILTERS, name)),
        name,
      );

    // Two addresses in one field, with a comma: refused with the message, nothing stored.
    await address(2).fill('bob@example.net, carl@example.org');
    await forward.getByRole('button', { name: 'Save' }).click();
    await alert('Forwarding')
      .filter({
        hasText: 'Address 2 ("bob@example.net, carl@example.org") holds a comma: one address per entry.',
      })
      .waitFor();
    assert.equal(await address(2).getAttribute('aria-invalid'), 'true');
    assert.equal(await stored(page, 'forward'), two);

    // With a line break (pasted from a list): a one-line field cannot hold it, the browser makes it
    // a space, and the address is refused with the message for what the field shows.
    await address(2).fill('bob@example.net\ncarl@example.org');
    const shown = await address(2).inputValue();
    assert.doesNotMatch(shown, /\n/);
    const [problem] = checkForward({ enabled: true, addresses: ['anna@example.org', shown], keepCopy: true });
    assert.ok(problem, `"${shown}" is refused`);
    await forward.getByRole('button', { name: 'Save' }).click();
    await alert('Forwarding').filter({ hasText: problem.message }).waitFor();
    assert.equal(await stored(page, 'forward'), two);

    // The first address removed: only the forwarding rule's lines change.
    await address(2).fill('bob@example.net');
    await forward.getByRole('button', { name: 'Remove address 1' }).click();
    assert.equal(await address(1).inputValue(), 'bob@example.net');
    assert.equal(await address(2).count(), 0);
    await forward.getByRole('button', { name: 'Save' }).click();
    await status('Forwarding').filter({ hasText: 'Saved: forwarding is on.' }).waitFor();
    const one = await stored(page, 'forward');
    compiles(one);
    assert.deepEqual(forwardOf(one), { enabled: true, addresses: ['bob@example.net'], keepCopy: true });
    assert.doesNotMatch(one, /anna@example\.org/);
    onlyRuleChanged(two, one, allRules(readRules(two).items)[0]!);
  },
);

test('what is typed as soon as a screen opens is kept', { skip }, async () => {
  const early = await web!.loggedInPage({ timeout: 10_000 });
  try {
    // Preact runs a component's effects after the browser paints, or before the component's next
    // render. With the page's clock stopped, the typing comes before the first paint: an effect
    // that loads the form from the script then must not wipe what was typed.
    await early.clock.install();
    await putAndOpen(early, 'early', FILTERS);
    for (const [tab, label, text] of [
      ['Forwarding', 'Address 1', 'anna@example.org'],
      ['Out of office', 'Subject', 'Away'],
    ] as const) {
      await early.clock.pauseAt((await early.evaluate(() => Date.now())) + 1000);
      await early.getByRole('tab', { name: tab }).click();
      const field = early.getByLabel(label, { exact: true });
      await field.fill(text);
      await early.clock.runFor(1000);
      assert.equal(await field.inputValue(), text, tab);
      await early.clock.resume();
      await early.getByRole('tab', { name: 'Rules' }).click();
    }
  } finally {
    await early.context().close();
  }
});

test("an Open-Xchange script's vacation rule is shown with its values", { skip }, async () => {
  const ox = readFileSync(join(FIXTURES, 'open-xchange', 'mailfilter.sieve'), 'utf8');
  const expected = readVacation(ox);
  assert.ok(expected, 'the rules layer finds the vacation rule');
  await putAndOpen(page, 'ox', ox);
  await page.getByRole('tab', { name: 'Out of office' }).click();
  const vacation = form('Out of office');
  await vacation.getByText('Rule "Vacation Notice".').waitFor();
  assert.equal(await vacation.getByRole('switch', { name: 'Send automatic replies' }).isChecked(), true);
  const value = (label: string) => vacation.getByLabel(label, { exact: true }).inputValue();
  assert.deepEqual(
    {
      subject: await value('Subject'),
      reason: await value('Message'),
      days: await value('Reply to the same sender at most every … days'),
      addresses: await value('My other addresses (one a line)'),
      start: await value('First day'),
      end: await value('Last day'),
    },
    {
      subject: 'Out of office',
      reason: 'I will be back soon.',
      days: '7',
      addresses: 'me@example.com',
      start: '',
      end: '',
    },
  );
  assert.deepEqual(
    [expected.subject, expected.reason, expected.days, expected.addresses],
    ['Out of office', 'I will be back soon.', 7, ['me@example.com']],
  );
  assert.equal(await vacation.getByRole('button', { name: 'Save' }).isDisabled(), false);
  assert.equal(await stored(page, 'ox'), ox);
});
