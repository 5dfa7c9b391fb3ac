// What the browser tests of the web editor share: `sievert serve` with `[web]` started as a
// process (after `npm run build`: it runs from dist/), Debian's chromium driven by playwright-core,
// a page logged in as the test user, the stored script through the API, and the screenshots.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { allRules, readRules, type Rule } from '../../../src/rules/index.js';
import { compile } from '../../../src/sieve/index.js';
import { startSievertServe, type SievertServe } from '../managesieve/sievert-serve.js';
import { freePort } from '../programs.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'rules');
const SHOTS = join(ROOT, 'docs', 'screenshots');
const PAGE_BUILT = join(ROOT, 'dist', 'web', 'static', 'index.html');

/** Why the browser tests cannot run here, or false. */
export const skip: string | false = !existsSync(CHROMIUM)
  ? `${CHROMIUM} missing: apt-get install chromium`
  : !existsSync(PAGE_BUILT)
    ? `${PAGE_BUILT} missing: npm run build`
    : false;

export const USER = 'alice@example.com';
export const PASSWORD = 'secret';

// Debian's chromium in a container: no sandbox, no GPU, nothing fetched in the background.
// Playwright gives it a fresh temporary profile (passing --user-data-dir here makes it throw).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** Playwright's default wait for each action; its own default when absent. */
  timeout?: number;
}

export interface WebHarness {
  /** The editor's address, `http://127.0.0.1:PORT`. */
  readonly base: string;
  readonly browser: Browser;
  /** A page of its own (a new browser context) on the login screen; dialogs are accepted. */
  newPage(o?: PageOptions): Promise<Page>;
  /** A new page, logged in as USER. */
  loggedInPage(o?: PageOptions): Promise<Page>;
  /** Closes the browser, stops the server and removes the temporary directory. */
  close(): Promise<void>;
}

/**
 * Starts `sievert serve` with the web editor on a free port, waits until the page answers, and
 * launches chromium. `name` names the temporary directory. Cleans up itself when a step fails.
 */
export async function startWeb(name: string): Promise<WebHarness> {
  const dir = mkdtempSync(join(tmpdir(), `sievert-web-${name}-`));
  let server: SievertServe | undefined;
  let browser: Browser | undefined;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      await browser?.close();
    } finally {
      try {
        await server?.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  };
  try {
    const webPort = await freePort();
    server = await startSievertServe({
      dir,
      users: [{ user: USER, password: `{PLAIN}${PASSWORD}` }],
      extraToml: `[web]\nenabled = true\nlisten = ["127.0.0.1:${webPort}"]\n`,
    });
    const base = `http://127.0.0.1:${webPort}`;
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
    const launched = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    browser = launched;
    const newPage = async (o: PageOptions = {}): Promise<Page> => {
      const context = await launched.newContext(o.viewport ? { viewport: o.viewport } : {});
      if (o.timeout !== undefined) context.setDefaultTimeout(o.timeout);
      const page = await context.newPage();
      page.on('dialog', (d) => void d.accept());
      await page.goto(base);
      return page;
    };
    const loggedInPage = async (o: PageOptions = {}): Promise<Page> => {
      const page = await newPage(o);
      await page.getByLabel('User').fill(USER);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByText('Logged in as').waitFor();
      return page;
    };
    return { base, browser: launched, newPage, loggedInPage, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Renders the page to an image; writes docs/screenshots/NAME.png only with SIEVERT_SCREENSHOTS=1,
 * so that a test run leaves the working tree as it was.
 */
export async function shot(page: Page, name: string): Promise<void> {
  if (process.env['SIEVERT_SCREENSHOTS'] === '1') {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  } else {
    await page.screenshot();
  }
}

/** The stored script, as the API gives it to the page's session. */
export async function stored(page: Page, name: string): Promise<string> {
  const answer = (await page.evaluate(
    (n) => fetch(`/api/scripts/${encodeURIComponent(n)}`).then((r) => r.json()),
    name,
  )) as { source?: unknown };
  assert.equal(typeof answer.source, 'string', `GET ${name}: ${JSON.stringify(answer)}`);
  return answer.source as string;
}

/** Stores a script through the API, then reloads the page and opens it on its Rules tab. */
export async function putAndOpen(page: Page, name: string, source: string): Promise<void> {
  const status = await page.evaluate(
    ([n, s]) =>
      fetch(`/api/scripts/${encodeURIComponent(n)}`, {
        method: 'PUT',
        headers: { 'X-Sievert': '1', 'Content-Type': 'application/json' },
        body: JSON.stringify({ source: s }),
      }).then((r) => r.status),
    [name, source] as const,
  );
  assert.equal(status, 200, `PUT ${name}`);
  await page.reload();
  await page.getByRole('button', { name, exact: true }).click();
  await page.getByRole('tab', { name: 'Rules', selected: true }).waitFor();
}

/** The rule of that name in the script (asserted to be there). */
export function ruleNamed(source: string, name: string): Rule {
  const r = allRules(readRules(source).items).find((x) => x.name === name);
  assert.ok(r, `a rule named ${name}`);
  return r;
}

/** Asserts that the script compiles with sievert's engine, as stored. */
export function compiles(source: string): void {
  assert.deepEqual(
    compile(source).diagnostics.filter((d) => d.severity === 'error'),
    [],
    'the stored script compiles',
  );
}
