// Delivery as `sievert serve` and `sievert deliver` configure it (src/deliver/setup.ts): global
// scripts read and compiled at start, errors naming their key, include :global from global_dir.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { StoreUserSource } from '../../../src/auth/index.js';
import { ConfigError, parseTomlText } from '../../../src/config/index.js';
import type { Delivery } from '../../../src/deliver/index.js';
import { createDelivery } from '../../../src/deliver/setup.js';
import { buildServeConfig } from '../../../src/serve/index.js';
import { createEngine } from '../../../src/sieve/index.js';
import { openStore, type ScriptStore } from '../../../src/store/index.js';

const engine = createEngine();
const MESSAGE = Buffer.from('From: carol@example.net\r\nSubject: Hello\r\n\r\nHi.\r\n');
let dir: string;
let store: ScriptStore;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sievert-deliver-setup-'));
  store = await openStore(`sqlite:${join(dir, 'sievert.db')}`);
  await store.addUser({ name: 'alice@example.org', password: '{PLAIN}x', quota: {} });
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A delivery from `[lmtp]` and `[sieve]` lines; paths are relative to the test's folder. */
function delivery(lmtp: string, sieve: string): Delivery {
  const config = buildServeConfig(
    parseTomlText(
      `[lmtp]\nmail_location = "maildir:mail/%d/%n"\nfsync = false\nmissing_mailbox = "create"\n${lmtp}\n` +
        `[smtp]\nrelay = ""\n[sieve]\n${sieve}\n`,
    ),
    dir,
  );
  return createDelivery(config, {
    store,
    users: new StoreUserSource(store),
    engine,
    logger: pino({ level: 'silent' }),
  });
}

async function activate(source: string): Promise<void> {
  await store.putScript('alice@example.org', 'main', Buffer.from(source), {
    maxScripts: 0,
    maxScriptSize: 0,
    maxStorage: 0,
  });
  await store.setActive('alice@example.org', 'main');
}

/** Delivers MESSAGE to alice; the texts of the files in her folder ("" for INBOX) afterwards. */
async function deliver(d: Delivery, folder = ''): Promise<string[]> {
  const r = await d.resolve('alice@example.org');
  assert.ok(r);
  const [reply] = await d.deliver({ from: 'carol@example.net' }, [r], MESSAGE);
  assert.equal(reply?.code, 250, JSON.stringify(reply));
  const box = join(dir, 'mail', 'example.org', 'alice', folder === '' ? '' : `.${folder}`);
  return ['new', 'cur'].flatMap((sub) => {
    try {
      return readdirSync(join(box, sub)).map((f) => readFileSync(join(box, sub, f), 'utf8'));
    } catch {
      return [];
    }
  });
}

function refused(sieve: string, key: string, detail: RegExp): void {
  assert.throws(
    () => delivery('', sieve),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.key, key);
      assert.match(e.detail, detail);
      return true;
    },
  );
}

test('a before folder runs its *.sieve files in byte order; a global script that cannot run stops the start', async () => {
  const folder = join(dir, 'before');
  mkdirSync(folder);
  // Byte order puts "B" before "a"; the first to file the message ends the sequence.
  writeFileSync(join(folder, 'a.sieve'), 'require "fileinto";\nfileinto "a";\n');
  writeFileSync(join(folder, 'B.sieve'), 'require "fileinto";\nfileinto "B";\n');
  writeFileSync(join(folder, 'notes.txt'), 'not a script');
  const d = delivery('', 'before = ["before"]');
  assert.equal((await deliver(d, 'B')).length, 1);
  assert.deepEqual(await deliver(d, 'a'), []);

  writeFileSync(join(dir, 'broken.sieve'), 'fileinto "x";\n');
  writeFileSync(join(dir, 'latin1.sieve'), Buffer.from([0x23, 0xe9, 0x0a]));
  refused('after = ["before", "broken.sieve"]', 'sieve.after[1]', /does not compile:\n.*broken\.sieve:1:/);
  refused('before = ["latin1.sieve"]', 'sieve.before[0]', /latin1\.sieve:1:2: not valid UTF-8/);
  refused('before = ["missing.sieve"]', 'sieve.before[0]', /cannot read .*missing\.sieve/);
});

test('include :global reads global_dir; a hidden file there is not a script; a failing run is one notice', async () => {
  const global = join(dir, 'global');
  mkdirSync(global);
  writeFileSync(join(global, 'lib.sieve'), 'require "fileinto";\nfileinto "Global";\n');
  writeFileSync(join(global, '.hidden.sieve'), 'require "fileinto";\nfileinto "Hidden";\n');
  await activate('require "include";\ninclude :global "lib";\n');
  const d = delivery('', 'global_dir = "global"');
  assert.equal((await deliver(d, 'Global')).length, 1);

  await activate('require "include";\ninclude :global ".hidden";\n');
  assert.deepEqual(await deliver(d, 'Hidden'), []);
  const inbox = await deliver(d);
  assert.equal(inbox.length, 3, 'both messages kept, and one notice');
  const notices = inbox.filter((m) => m.includes('Subject: Sieve script error: main'));
  assert.equal(notices.length, 1);
  assert.match(
    notices[0]!,
    /The script failed while running \(line 2, column 1\): include: there is no global script named "\.hidden"/,
  );
  // error_notices = false: the message is kept, the user is not told.
  await activate('require "include";\ninclude :global ".hidden"; # a new version\n');
  assert.equal((await deliver(delivery('error_notices = false', 'global_dir = "global"'))).length, 4);
});

test('lmtp.special_use reaches delivery: the default \\Junk folder, or the configured one (RFC 8579)', async () => {
  const box = (name: string) => {
    for (const sub of ['cur', 'new', 'tmp'])
      mkdirSync(join(dir, 'mail', 'example.org', 'alice', `.${name}`, sub), { recursive: true });
  };
  box('Junk');
  box('Quarantine');
  await activate('require ["fileinto", "special-use"];\nfileinto :specialuse "\\\\Junk" "Named";\n');
  assert.equal((await deliver(delivery('', ''), 'Junk')).length, 1, 'the default: \\Junk is "Junk"');
  const configured = delivery('special_use = { "\\\\Junk" = "Quarantine" }', '');
  assert.equal((await deliver(configured, 'Quarantine')).length, 1);
  assert.equal((await deliver(delivery('special_use = {}', ''), 'Named')).length, 1, 'none configured');
});
