import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigError, loadConfig, parseConfigText, startProxy } from '../../../src/proxy/index.js';
import { silent } from './helpers.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sievert-config-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const base = `
[listener.imap]
protocol = "imap"
bind = ["127.0.0.1:1143"]

[destination.legacy]
host = "127.0.0.1"
allow_plaintext_auth = true
[destination.legacy.protocol.imap]
port = 14143

[routing]
default_destination = "legacy"
`;

/** Parses and expects a ConfigError naming `key`. */
function refused(toml: string, key: string, message?: RegExp): void {
  assert.throws(
    () => parseConfigText(toml, dir, 'proxy.toml'),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.key, key, e.message);
      assert.ok(e.message.startsWith(`proxy.toml: ${key}: `), e.message);
      if (message) assert.match(e.message, message);
      return true;
    },
  );
}

test('the issue example configuration loads as written, with documented defaults', () => {
  writeFileSync(join(dir, 'routes.tsv'), '# id dest\nalice@example.com legacy\n');
  writeFileSync(
    join(dir, 'proxy.toml'),
    `
[listener.imap]
protocol = "imap"                 # imap | pop3 | managesieve | submission
bind = ["127.0.0.1:1143"]
tls = "plain"                     # plain | starttls | implicit  (+ cert / key)

[destination.legacy]
host = "127.0.0.1"
forwarding = "xclient"            # xclient (IMAP ID / XCLIENT) | proxy (PROXY v2) | none
allow_plaintext_auth = true
[destination.legacy.protocol.imap]
port = 14143
tls = "plain"

[routing]
default_destination = "legacy"

[mapping]
source = "file"                   # file | sql | http
normalize = "lowercase"
[mapping.file]
path = "routes.tsv"               # lines: identifier<TAB or spaces>destination

[capabilities.imap]
allow_plain_auth_without_tls = true

[admin]
bind = "127.0.0.1:9190"
bearer_token = "..."
`,
  );
  const c = loadConfig(join(dir, 'proxy.toml'));
  assert.equal(c.listeners[0]!.maxAuthAttempts, 3);
  assert.equal(c.listeners[0]!.preauthTimeoutMs, 60_000);
  assert.equal(c.destinations.get('legacy')!.forwarding, 'xclient');
  assert.equal(c.mapping.file!.path, join(dir, 'routes.tsv'));
  assert.equal(c.mapping.cache_ttl, 300_000);
  assert.deepEqual(c.routing.masterUserSeparators, ['%']);
  assert.equal(c.limits.maxLiteral, 65_536);
  assert.equal(c.admin!.bearerToken, '...');
});

test('durations accept "250ms", "30s", "5m", "1h" and milliseconds', () => {
  const c = parseConfigText(
    base + '[limits]\nauth_failure_delay = "250ms"\nauth_failure_max_delay = "1m"\nshutdown_timeout = 1500\n',
    dir,
  );
  assert.equal(c.limits.authFailureDelayMs, 250);
  assert.equal(c.limits.authFailureMaxDelayMs, 60_000);
  assert.equal(c.limits.shutdownTimeoutMs, 1500);
  refused(base + '[limits]\nshutdown_timeout = "soon"\n', 'limits.shutdown_timeout', /duration/);
});

test('unknown keys, wrong types and bad enum values name the key', () => {
  refused(base + '[limits]\nmax_lines = 10\n', 'limits.max_lines', /unknown key/);
  refused(
    base.replace('tls = "plain"', '') + '[listener.pop3]\nprotocol = "pop4"\nbind = ["127.0.0.1:1"]\n',
    'listener.pop3.protocol',
    /"imap", "pop3"/,
  );
  refused(base.replace('port = 14143', 'port = "143"'), 'destination.legacy.protocol.imap.port');
  refused(
    base.replace('bind = ["127.0.0.1:1143"]', 'bind = ["localhost"]'),
    'listener.imap.bind[0]',
    /host:port/,
  );
  refused('[listener.imap]\nbind = ["127.0.0.1:1"]\n', 'listener.imap.protocol', /required/);
  refused(base + '[log]\nlevel = "verbose"\n', 'log.level', /"trace", "debug", "info"/);
});

test('[log] level: "info" by default, any of pino\'s levels', () => {
  assert.equal(parseConfigText(base, dir).logLevel, 'info');
  assert.equal(parseConfigText(base + '[log]\nlevel = "silent"\n', dir).logLevel, 'silent');
});

test('refused at start: unknown default destination, a protocol the default destination lacks', () => {
  refused(
    base.replace('default_destination = "legacy"', 'default_destination = "nowhere"'),
    'routing.default_destination',
    /unknown destination "nowhere"/,
  );
  refused(
    base + '[listener.pop3]\nprotocol = "pop3"\nbind = ["127.0.0.1:1110"]\n',
    'routing.default_destination',
    /has no protocol\.pop3 for listener\.pop3/,
  );
});

test('refused at start: credentials over a plaintext backend leg without allow_plaintext_auth', () => {
  refused(
    base.replace('allow_plaintext_auth = true\n', ''),
    'destination.legacy.protocol.imap.tls',
    /allow_plaintext_auth/,
  );
});

test('refused at start: an IP host with TLS and no tls_server_name', () => {
  refused(
    base.replace('port = 14143', 'port = 14143\ntls = "implicit"'),
    'destination.legacy.tls_server_name',
    /IP address/,
  );
});

test('refused at start: a destination that is one of our own listeners', () => {
  refused(
    base.replace('port = 14143', 'port = 1143'),
    'destination.legacy.protocol.imap.port',
    /own listeners/,
  );
});

test('refused at start: TLS listener without a certificate; PROXY protocol without trusted networks', () => {
  refused(
    base.replace('bind = ["127.0.0.1:1143"]', 'bind = ["127.0.0.1:1143"]\ntls = "implicit"'),
    'listener.imap.cert',
  );
  refused(
    base.replace('bind = ["127.0.0.1:1143"]', 'bind = ["127.0.0.1:1143"]\nproxy_protocol = "required"'),
    'listener.imap.proxy_trusted',
  );
});

test('refused at start: mapping entries naming undeclared destinations', async () => {
  writeFileSync(join(dir, 'bad.tsv'), 'alice@example.com legacy\nbob@example.com nowhere\n');
  const c = parseConfigText(
    base.replace('1143', '0') + '[mapping]\nsource = "file"\n[mapping.file]\npath = "bad.tsv"\n',
    dir,
  );
  await assert.rejects(startProxy(c, { logger: silent }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.key, 'mapping.file.path');
    assert.match(e.message, /"bob@example\.com" names unknown destination "nowhere"/);
    return true;
  });
});

test('a mapping source needs its section', () => {
  refused(base + '[mapping]\nsource = "sql"\n', 'mapping.sql', /required/);
});
