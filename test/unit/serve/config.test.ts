// `sievert serve`'s configuration: defaults for everything, errors that name the key.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseTomlText } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/config/index.js';
import { buildServeConfig, loadServeConfig } from '../../../src/serve/index.js';
import { sievert } from '../cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-serve-config-'));
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

test('no file: the embedded defaults in ./sievert-data, ManageSieve on 127.0.0.1:4190 with STARTTLS', () => {
  const c = loadServeConfig(undefined);
  assert.equal(c.dataDir, join(process.cwd(), 'sievert-data'));
  assert.equal(c.storeUrl, `sqlite:${join(process.cwd(), 'sievert-data', 'sievert.db')}`);
  assert.deepEqual(c.managesieve.listen, ['127.0.0.1:4190']);
  assert.equal(c.managesieve.tls, 'starttls');
  assert.deepEqual(c.managesieve.quota, { maxScripts: 0, maxScriptSize: 1024 * 1024, maxStorage: 0 });
  assert.equal(c.auth.plaintextWithoutTls, false);
  assert.equal(c.auth.passwdFile, undefined);
  assert.equal(c.auth.passwordWorkers, Math.min(4, availableParallelism()));
  assert.equal(c.logLevel, 'info');
});

test('the keys of the issue, with sizes and paths relative to the file', () => {
  const c = build(`
data_dir = "./data"
[store]
url = "sqlite:./data/x.db"
[auth]
passwd_file = "users"
master_passwd_file = "/abs/masters"
plaintext_without_tls = true
[managesieve]
listen = "127.0.0.1:14190"
tls = "implicit"
cert = "c.pem"
key = "k.pem"
max_scripts = 3
max_script_size = "64K"
max_storage = "2M"
idle_timeout = "45m"
`);
  assert.equal(c.dataDir, '/etc/sievert/data');
  assert.equal(c.storeUrl, 'sqlite:/etc/sievert/data/x.db');
  assert.equal(c.auth.passwdFile, '/etc/sievert/users');
  assert.equal(c.auth.masterPasswdFile, '/abs/masters');
  assert.deepEqual(c.managesieve.listen, ['127.0.0.1:14190']);
  assert.equal(c.managesieve.cert, '/etc/sievert/c.pem');
  assert.deepEqual(c.managesieve.quota, { maxScripts: 3, maxScriptSize: 65536, maxStorage: 2 * 1024 * 1024 });
  assert.equal(c.managesieve.idleTimeoutMs, 45 * 60_000);
});

test('PostgreSQL URLs pass through unchanged', () => {
  const url = 'postgres://sievert:pw@127.0.0.1:5432/sievert';
  assert.equal(build(`[store]\nurl = "${url}"`).storeUrl, url);
  assert.equal(build('[store]\nurl = "PostgreSQL://h/db"').storeUrl, 'PostgreSQL://h/db');
});

test('store.url accepts what the store opens, with relative paths from the configuration file', () => {
  const url = (u: string): string => build(`[store]\nurl = "${u}"`).storeUrl;
  assert.equal(url('sqlite:db/x.db'), 'sqlite:/etc/sievert/db/x.db');
  assert.equal(url('SQLite:db/x.db'), 'sqlite:/etc/sievert/db/x.db');
  assert.equal(url('db/x.db'), 'sqlite:/etc/sievert/db/x.db');
  assert.equal(url('sqlite:///var/lib/x.db'), 'sqlite:/var/lib/x.db');
  assert.equal(url('sqlite::memory:'), 'sqlite::memory:');
  refused('[store]\nurl = "sqlite:"', 'store.url', /needs a file path/);
  refused('[store]\nurl = "mysql://x"', 'store.url', /unsupported scheme "mysql:"/);
  // A PostgreSQL URL the store could not read is refused here too (so by `serve --check`),
  // without repeating it: it holds the password.
  refused('[store]\nurl = "postgres://u:hunter2@[::1/db"', 'store.url', /^not a valid URL(?!.*hunter2)/);
});

test('errors name the key', () => {
  refused('[managesieve]\ntls = "yes"', 'managesieve.tls', /"starttls"/);
  refused('[managesieve]\nlisten = ["4190"]', 'managesieve.listen[0]', /host:port/);
  refused('[managesieve]\nmax_script_size = "lots"', 'managesieve.max_script_size', /size/);
  refused('[managesieve]\nidle_timeout = "soon"', 'managesieve.idle_timeout', /duration/);
  refused('[managesieve]\ncert = "c.pem"', 'managesieve.key', /together/);
  refused('[store]\nurl = "mysql://x"', 'store.url');
  refused('[auth]\npasswd = "x"', 'auth.passwd', /unknown key/);
  refused('[auth]\nmechanisms = ["CRAM-MD5"]', 'auth.mechanisms[0]', /"PLAIN"/);
  refused('[auth.oauth]\nissuer = "x"', 'auth.oauth', /jwks_file/);
  refused('[auth]\nfailure_delay = "20s"', 'auth.failure_delay_max');
  refused('[auth]\npassword_workers = -1', 'auth.password_workers');
  refused('[auth]\npassword_workers = 1.5', 'auth.password_workers');
  refused('[log]\nlevel = "verbose"', 'log.level', /"trace", "debug", "info"/);
});

test('a plain listener that could offer no SASL mechanism is refused (RFC 5804 §1.7)', () => {
  refused('[managesieve]\ntls = "plain"\n[auth]\nmechanisms = ["PLAIN", "LOGIN"]', 'managesieve.tls');
  // SCRAM never sends the password, so it is offered without TLS.
  assert.equal(
    build('[managesieve]\ntls = "plain"\n[auth]\nmechanisms = ["SCRAM-SHA-256"]').managesieve.tls,
    'plain',
  );
  assert.equal(
    build('[managesieve]\ntls = "plain"\n[auth]\nplaintext_without_tls = true\nmechanisms = ["PLAIN"]')
      .managesieve.tls,
    'plain',
  );
});

test('a file with a TOML syntax error or an unreadable file is a ConfigError naming the file', () => {
  const bad = join(dir, 'bad.toml');
  writeFileSync(bad, '[managesieve\n');
  assert.throws(
    () => loadServeConfig(bad),
    (e: unknown) => e instanceof ConfigError && e.file === bad,
  );
  assert.throws(
    () => loadServeConfig(join(dir, 'missing.toml')),
    (e: unknown) => e instanceof ConfigError && /cannot read/.test(e.message),
  );
});

// The delivery keys ([lmtp], [smtp], [sieve]) and `sievert deliver` with the exit statuses MTAs read.
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

test('editheader: protected fields are forbidden to add and to delete; none configured, no policy', () => {
  assert.equal(build('').sieve.editheader, undefined);
  const c = build(
    '[sieve]\neditheader_protected = ["X-Spam-Score"]\neditheader_forbid_add = ["X-Verified"]\n' +
      'editheader_forbid_delete = ["List-Id"]',
  );
  assert.deepEqual(c.sieve.editheader, {
    forbidAdd: ['X-Spam-Score', 'X-Verified'],
    forbidDelete: ['X-Spam-Score', 'List-Id'],
  });
  refused('[sieve]\neditheader_protected = ["X-Spam Score"]', 'sieve.editheader_protected[0]', /field name/);
  refused('[sieve]\neditheader_forbid_add = ["ok", "To:"]', 'sieve.editheader_forbid_add[1]', /field name/);
});

test('bad delivery keys are refused by name', () => {
  refused('[lmtp]\nlisten = ["nowhere"]', 'lmtp.listen[0]');
  // A Unix socket needs its path: "unix:" alone would pass here and fail at start.
  refused('[lmtp]\nlisten = ["127.0.0.1:24", "unix:"]', 'lmtp.listen[1]', /unix:PATH/);
  refused('[lmtp]\nmail_location = "mbox:/var/mail"', 'lmtp.mail_location', /maildir:PATH/);
  refused('[lmtp]\nmissing_mailbox = "drop"', 'lmtp.missing_mailbox');
  refused('[lmtp]\nmax_line = 509', 'lmtp.max_line', /at least 510/);
  assert.equal(build('[lmtp]\nmax_line = 510').lmtp.maxLine, 510);
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

test('sievert deliver: 0 delivered, 67 unknown user, 75 store unavailable, 77 ereject with its reason, 78 bad configuration', () => {
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

  // A store that cannot be opened is a temporary failure: the MTA keeps the message and retries.
  const unavailable = join(dir, 'unavailable.toml');
  writeFileSync(unavailable, `[store]\nurl = "sqlite:/dev/null/sievert.db"\n[auth]\npasswd_file = "users"\n`);
  const later = sievert(['deliver', '--config', unavailable, '--user', 'alice@example.org'], message);
  assert.equal(later.code, 75, later.stderr);
  assert.match(later.stderr, /cannot open the store/);

  const bad = join(dir, 'bad.toml');
  writeFileSync(bad, '[lmtp]\nmissing_mailbox = "drop"\n');
  const r = sievert(['deliver', '--config', bad, '--user', 'alice@example.org'], message);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /lmtp\.missing_mailbox/);
});

test('lmtp.special_use: defaults as Dovecot names the folders; a table replaces them', () => {
  assert.deepEqual(build('').lmtp.specialUse, {
    '\\Drafts': 'Drafts',
    '\\Junk': 'Junk',
    '\\Sent': 'Sent',
    '\\Trash': 'Trash',
    '\\Archive': 'Archive',
  });
  assert.deepEqual(
    build('[lmtp.special_use]\n"\\\\Junk" = "Spam"\n"\\\\Sent" = "Sent Messages"\n').lmtp.specialUse,
    { '\\Junk': 'Spam', '\\Sent': 'Sent Messages' },
  );
  assert.deepEqual(build('[lmtp]\nspecial_use = {}\n').lmtp.specialUse, {});
});

test('lmtp.special_use: an attribute that is not \\Word, twice, or an empty folder is refused by name', () => {
  refused('[lmtp.special_use]\nJunk = "Junk"\n', 'lmtp.special_use', /"Junk" is not a special-use attribute/);
  refused('[lmtp.special_use]\n"\\\\Ju nk" = "Junk"\n', 'lmtp.special_use', /not a special-use attribute/);
  refused('[lmtp.special_use]\n"\\\\" = "Junk"\n', 'lmtp.special_use', /not a special-use attribute/);
  refused('[lmtp.special_use]\n"\\\\Junk" = "Junk"\n"\\\\JUNK" = "Spam"\n', 'lmtp.special_use', /twice/);
  refused('[lmtp.special_use]\n"\\\\Junk" = ""\n', 'lmtp.special_use', /folder of "\\\\Junk" is empty/);
  refused('[lmtp.special_use]\n"\\\\Junk" = " "\n', 'lmtp.special_use', /is empty/);
});
