// The web filter editor in Debian's chromium, driven by playwright-core, against `sievert serve`
// started as a process: log in, create a script, break it and see the engine's diagnostic at its
// line, Save refused, fix and save, activate, "try it" on a message. Writes the screenshots in
// docs/screenshots/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { compile } from '../../../src/sieve/index.js';
import { shot, skip, startWeb, stored, type WebHarness } from './harness.js';

const GOOD = 'require "fileinto";\nif header :contains "subject" "invoice" {\n  fileinto "Invoices";\n}\n';
// The semicolon after fileinto is gone.
const BROKEN = 'require "fileinto";\nif header :contains "subject" "invoice" {\n  fileinto "Invoices"\n}\n';
const MESSAGE =
  'From: Shop <billing@shop.example>\nTo: alice@example.com\nSubject: Your invoice 42\n\nPay.\n';

let web: WebHarness | undefined;

before(async () => {
  if (skip) return;
  web = await startWeb('browser');
});

after(() => web?.close());

test(
  'log in, write a script, see its error, save it fixed, activate it, try it on a message',
  { skip },
  async () => {
    const page = await web!.newPage({ viewport: { width: 1024, height: 700 } });

    await page.getByLabel('User').fill('alice@example.com');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Authentication failed' }).waitFor();
    await page.getByLabel('Password').fill('secret');
    await shot(page, 'login');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Logged in as').waitFor();

    await page.getByLabel('New script name').fill('filters');
    await page.getByRole('button', { name: 'Create' }).click();
    // A script opens on its rule list; the raw editor is the Script tab.
    await page.getByRole('tab', { name: 'Script' }).click();
    const source = page.getByLabel('Sieve source');
    await source.waitFor();

    // Broken: the engine in the page reports what the engine here reports, at the same place.
    const expected = compile(BROKEN).diagnostics.find((d) => d.severity === 'error')!;
    assert.equal(expected.line, 4);
    await source.fill(BROKEN);
    const diagnostic = page.getByRole('button', {
      name: `line ${expected.line}, column ${expected.column}: error:`,
    });
    await diagnostic.waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Not saved: the script does not compile').waitFor();
    await shot(page, 'editor-error');
    assert.doesNotMatch(await stored(page, 'filters'), /Invoices/, 'the broken script was not stored');

    // The diagnostic moves the caret to its line.
    await diagnostic.click();
    const caret = await source.evaluate((el) => (el as unknown as { selectionStart: number }).selectionStart);
    assert.equal(BROKEN.slice(0, caret).split('\n').length, expected.line);

    await source.fill(GOOD);
    await page.getByText('No errors.').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    assert.equal(await stored(page, 'filters'), GOOD);

    await page.getByRole('button', { name: 'Activate filters' }).click();
    await page.locator('.badge', { hasText: 'active' }).waitFor();
    await shot(page, 'scripts');

    await page.getByRole('tab', { name: 'Try it' }).click();
    await page.getByLabel('Message (headers, blank line, body)').fill(MESSAGE);
    await page.getByRole('button', { name: 'Run the script' }).click();
    const actions = page.locator('.actions');
    await actions.getByText('fileinto: store message in folder: Invoices').waitFor();
    await page.locator('.tryit').scrollIntoViewIfNeeded();
    await shot(page, 'try-it');

    // An upload that is not UTF-8 is refused with the place of the bad octet; nothing is stored.
    await page.getByLabel('Upload a .sieve file').setInputFiles({
      name: 'latin1.sieve',
      mimeType: 'application/sieve',
      buffer: Buffer.from('# Gr\xfc\xdfe\nkeep;\n', 'latin1'),
    });
    await page.getByRole('status').filter({ hasText: 'Invalid UTF-8 at line 1, column 5' }).waitFor();
    assert.equal(
      await page.evaluate(() => fetch('/api/scripts/latin1').then((r) => r.status)),
      404,
      'nothing stored',
    );
    await page.context().close();
  },
);
