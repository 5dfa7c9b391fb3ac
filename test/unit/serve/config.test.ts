// `sievert serve`'s configuration: defaults for everything, errors that name the key.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseTomlText } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/config/index.js';
import { buildServeConfig, loadServeConfig } from '../../../src/serve/index.js';

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
