// The delivery keys of `sievert serve`'s configuration ([lmtp], [smtp], [sieve]): defaults, and
// errors that name the key; `sievert deliver` with the exit statuses MTAs read.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, parseTomlText } from '../../../src/config/index.js';
import { buildServeConfig } from '../../../src/serve/index.js';
import { sievert } from '../cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-deliver-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const build = (toml: string) => buildServeConfig(parseTomlText(toml), '/etc/sievert');

function refused(toml: string, key: string, detail?: RegExp): void {
  assert.throws(
    () => build(toml),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.key, key);
      if (detail) assert.match(e.detail, detail);
      return true;
    },
  );
}

test('defaults: LMTP on 127.0.0.1:2424 into the data directory, relay on 127.0.0.1:25', () => {
  const c = build('data_dir = "/var/lib/sievert"');
  assert.deepEqual(c.lmtp.listen, ['127.0.0.1:2424']);
  assert.equal(c.lmtp.mailLocation, 'maildir:/var/lib/sievert/mail/%d/%n/Maildir');
  assert.equal(c.lmtp.recipientDelimiter, '+');
  assert.equal(c.lmtp.missingMailbox, 'inbox');
  assert.equal(c.lmtp.maxMessageSize, 50 * 1024 * 1024);
  assert.deepEqual(c.smtp.relay, { host: '127.0.0.1', port: 25 });
  assert.equal(c.sieve.maxRedirects, 4);
  assert.deepEqual(c.sieve.vacation, {
    minPeriod: 86_400,
    defaultPeriod: 7 * 86_400,
    maxPeriod: 90 * 86_400,
  });
});

test('paths relative to the file, a unix socket, durations in days, spamtest', () => {
  const c = build(`
[lmtp]
listen = ["unix:run/lmtp.sock", "127.0.0.1:24"]
mail_location = "maildir:mail/%d/%n"
max_message_size = "10M"
[smtp]
relay = ""
[sieve]
before = ["global/before"]
vacation_min_period = "2d"
[sieve.spamtest]
header = "X-Spam-Status"
pattern = "score=(-?[0-9.]+)"
max = 5
`);
  assert.deepEqual(c.lmtp.listen, ['unix:/etc/sievert/run/lmtp.sock', '127.0.0.1:24']);
  assert.equal(c.lmtp.mailLocation, 'maildir:/etc/sievert/mail/%d/%n');
  assert.equal(c.lmtp.maxMessageSize, 10 * 1024 * 1024);
  assert.equal(c.smtp.relay, null);
  assert.deepEqual(c.sieve.before, ['/etc/sievert/global/before']);
  assert.equal(c.sieve.vacation.minPeriod, 2 * 86_400);
  assert.deepEqual(c.sieve.spamtest, {
    header: 'X-Spam-Status',
    pattern: 'score=(-?[0-9.]+)',
    format: { kind: 'score', max: 5 },
  });
});

test('bad delivery keys are refused by name', () => {
  refused('[lmtp]\nlisten = ["nowhere"]', 'lmtp.listen[0]');
  refused('[lmtp]\nmail_location = "mbox:/var/mail"', 'lmtp.mail_location', /maildir:PATH/);
  refused('[lmtp]\nmissing_mailbox = "drop"', 'lmtp.missing_mailbox');
  refused('[smtp]\nrelay = "mail.example.org"', 'smtp.relay', /host:port/);
  refused('[sieve.spamtest]\nheader = "X-Spam"', 'sieve.spamtest.max');
  refused('[sieve.virustest]\nheader = "X-Virus"\nformat = "text"', 'sieve.virustest.map');
  refused(
    '[sieve.spamtest]\nheader = "X"\npattern = "("\nmax = 1',
    'sieve.spamtest.pattern',
    /regular expression/,
  );
  refused('[sieve]\nvacation_min_period = "30d"', 'sieve.vacation_min_period');
  refused('[sieve]\nvacation_max_period = "1d"', 'sieve.vacation_max_period');
});

test('sievert deliver: 0 delivered, 67 unknown user, 77 ereject with its reason, 78 bad configuration', () => {
  const users = join(dir, 'users');
  writeFileSync(users, 'alice@example.org:{PLAIN}x\nerin@example.org:{PLAIN}x\n');
  const config = join(dir, 'sievert.toml');
  writeFileSync(
    config,
    `data_dir = "data"\n[auth]\npasswd_file = "users"\n[smtp]\nrelay = ""\n[log]\nlevel = "silent"\n`,
  );
  const message = 'From sender@example.net Sat Nov 21 10:00:00 2026\nSubject: piped\n\nbody\n';
  const ok = sievert(
    ['deliver', '--config', config, '--user', 'alice+x@example.org', '--from', 'a@b'],
    message,
  );
  assert.equal(ok.code, 0, ok.stderr);
  const inbox = join(dir, 'data', 'mail', 'example.org', 'alice', 'Maildir', 'new');
  const files = readdirSync(inbox);
  assert.equal(files.length, 1);

  assert.equal(sievert(['deliver', '--config', config, '--user', 'nobody@example.org'], message).code, 67);

  const script = join(dir, 'erin.sieve');
  writeFileSync(script, 'require "ereject";\nereject "No mail for Erin.";\n');
  const put = sievert([
    'script',
    'put',
    '--config',
    config,
    '--activate',
    'erin@example.org',
    'main',
    script,
  ]);
  assert.equal(put.code, 0, put.stderr);
  const refusedRun = sievert(['deliver', '--config', config, '--user', 'erin@example.org'], message);
  assert.equal(refusedRun.code, 77);
  assert.match(refusedRun.stderr, /5\.7\.1 No mail for Erin\./);

  const bad = join(dir, 'bad.toml');
  writeFileSync(bad, '[lmtp]\nmissing_mailbox = "drop"\n');
  const r = sievert(['deliver', '--config', bad, '--user', 'alice@example.org'], message);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /lmtp\.missing_mailbox/);
});
