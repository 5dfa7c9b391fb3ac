// The web filter editor in Debian's chromium, driven by playwright-core, against `sievert serve`
// started as a process: log in, create a script, break it and see the engine's diagnostic at its
// line, Save refused, fix and save, activate, "try it" on a message. Writes the screenshots in
// docs/screenshots/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { compile } from '../../../src/sieve/index.js';
import { startSievertServe, type SievertServe } from '../managesieve/sievert-serve.js';
import { freePort } from '../programs.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SHOTS = join(ROOT, 'docs', 'screenshots');
const PAGE_BUILT = join(ROOT, 'dist', 'web', 'static', 'index.html');
const skip = !existsSync(CHROMIUM)
  ? `${CHROMIUM} missing: apt-get install chromium`
  : !existsSync(PAGE_BUILT)
    ? `${PAGE_BUILT} missing: npm run build`
    : false;

const GOOD = 'require "fileinto";\nif header :contains "subject" "invoice" {\n  fileinto "Invoices";\n}\n';
// The semicolon after fileinto is gone.
const BROKEN = 'require "fileinto";\nif header :contains "subject" "invoice" {\n  fileinto "Invoices"\n}\n';
const MESSAGE =
  'From: Shop <billing@shop.example>\nTo: alice@example.com\nSubject: Your invoice 42\n\nPay.\n';

let dir: string;
let server: SievertServe | undefined;
let browser: Browser | undefined;
let base: string;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sievert-web-browser-'));
  if (process.env['SIEVERT_SCREENSHOTS'] === '1') mkdirSync(SHOTS, { recursive: true });
  const webPort = await freePort();
  server = await startSievertServe({
    dir,
    users: [{ user: 'alice@example.com', password: '{PLAIN}secret' }],
    extraToml: `[web]\nenabled = true\nlisten = ["127.0.0.1:${webPort}"]\n`,
  });
  base = `http://127.0.0.1:${webPort}`;
  // The ManageSieve port answered; the web listener starts right after it.
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 100) throw new Error(`the web editor did not answer on ${base}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The screenshots in docs/ are rewritten only when asked (SIEVERT_SCREENSHOTS=1), so that a test
// run leaves the working tree as it was; the page is still rendered to an image every time.
const shot = (page: Page, name: string) =>
  page.screenshot(process.env['SIEVERT_SCREENSHOTS'] === '1' ? { path: join(SHOTS, `${name}.png`) } : {});

test(
  'log in, write a script, see its error, save it fixed, activate it, try it on a message',
  { skip },
  async () => {
    const context = await browser!.newContext({ viewport: { width: 1024, height: 700 } });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(base);

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
    const stored = await page.evaluate(() => fetch('/api/scripts/filters').then((r) => r.json()));
    assert.doesNotMatch(
      (stored as { source: string }).source,
      /Invoices/,
      'the broken script was not stored',
    );

    // The diagnostic moves the caret to its line.
    await diagnostic.click();
    const caret = await source.evaluate((el) => (el as unknown as { selectionStart: number }).selectionStart);
    assert.equal(BROKEN.slice(0, caret).split('\n').length, expected.line);

    await source.fill(GOOD);
    await page.getByText('No errors.').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    const saved = await page.evaluate(() => fetch('/api/scripts/filters').then((r) => r.json()));
    assert.equal((saved as { source: string }).source, GOOD);

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
    await context.close();
  },
);
