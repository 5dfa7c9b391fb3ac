import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningProxy } from '../../../src/proxy/index.js';
import { capturingLogger, makeCerts, portOf, proxyFrom, type TestCerts } from '../../unit/proxy/helpers.js';
import { startDovecot, type Dovecot } from './dovecot.js';
import { NET_SIEVE, netSieveSession, sievelibSession } from '../managesieve-drivers.js';
import { runSieveConnect } from '../managesieve/sieve-connect.js';

// Real ManageSieve clients (sieve-connect, python3-sievelib, PHP Net_Sieve as Roundcube uses it)
// through the proxy's STARTTLS listener to Dovecot's managesieve (STARTTLS leg, XCLIENT).
let certs: TestCerts;
let dovecot: Dovecot;
let proxy: RunningProxy;
let dir: string;
let port: number;
const logs = capturingLogger();

before(async () => {
  certs = makeCerts();
  dir = mkdtempSync(join(tmpdir(), 'sievert-sieve-clients-'));
  dovecot = await startDovecot({
    name: 'sieve-clients',
    users: {
      'alice@example.com': 'alicepw',
      'bob@example.com': 'bobpw',
      'carol@example.com': 'carol-real-pw',
    },
    masters: { master: 'masterpw' },
    certs,
  });
  // carol is routed to "dm": the same Dovecot, reached with the destination's own master login.
  writeFileSync(join(dir, 'routes.tsv'), 'carol@example.com dm\n');
  const destination = (id: string, extra = ''): string => `
[destination.${id}]
host = "127.0.0.1"
tls_server_name = "localhost"
tls_ca = "${certs.caFile}"
forwarding = "xclient"
${extra}
[destination.${id}.protocol.managesieve]
port = ${dovecot.ports.sieve}
tls = "starttls"
`;
  proxy = await proxyFrom(
    `
[listener.sieve]
protocol = "managesieve"
bind = ["127.0.0.1:0"]
tls = "starttls"
cert = "${certs.certFile}"
key = "${certs.keyFile}"
${destination('dovecot')}
${destination('dm', 'master_user = "master"\nmaster_password = "masterpw"')}
[routing]
default_destination = "dovecot"
master_user_separators = ["*"]
[mapping]
source = "file"
[mapping.file]
path = "routes.tsv"
[limits]
auth_failure_delay = 0
`,
    dir,
    logs.logger,
  );
  port = portOf(proxy, 'sieve');
});

after(async () => {
  await proxy?.close(0);
  await dovecot?.stop();
  certs?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** sieve-connect through the proxy; `commands` as for --exec. */
function sieveConnect(user: string, password: string, commands: string[], authzid?: string) {
  const script = join(dir, `commands-${Math.random().toString(36).slice(2)}`);
  writeFileSync(script, commands.join('\n') + '\n');
  return runSieveConnect({ port, caFile: certs.caFile, user, password, authzid, args: ['--exec', script] });
}

/** Session ids of our successful logins for a user, from the proxy's own log. */
function ourSessions(user: string): string[] {
  return logs.lines
    .map((l) => JSON.parse(l) as { session?: string; event?: string; outcome?: string; user?: string })
    .filter((l) => l.event === 'login' && l.outcome === 'ok' && l.user === user)
    .map((l) => l.session!);
}

const script = [
  'require ["fileinto", "vacation"];',
  '# a comment with "quotes", a backslash \\ and UTF-8: Grüße',
  'if header :contains "subject" ["[spam]", "viagra"] {',
  '    fileinto "Junk";',
  '    stop;',
  '}',
  'vacation :days 7 "Away until Monday.";',
  '',
].join('\r\n');

test('sieve-connect: STARTTLS, PLAIN, upload, list, activate, download byte-identical, delete', async () => {
  const local = join(dir, 'local.sieve');
  const downloaded = join(dir, 'downloaded.sieve');
  writeFileSync(local, script);
  const r = await sieveConnect('alice@example.com', 'alicepw', [
    `upload ${local} main`,
    'list',
    'activate main',
    'list',
    `download main ${downloaded}`,
    'deactivate',
    'delete main',
    'list',
    'quit',
  ]);
  assert.equal(r.code, 0, r.out);
  // sieve-connect checks the capability block (e.g. NOTIFY must come with enotify, RFC 5804 §1.7).
  assert.doesNotMatch(r.out, /violates|warning/i);
  assert.deepEqual(readFileSync(downloaded), Buffer.from(script), 'downloaded script is byte-identical');
  // list before activation, after it (marked active), and after the delete (empty).
  assert.match(r.out, /^"main"\s*$/m, r.out);
  assert.match(r.out, /^"main"\s+ACTIVE\s*$/m, r.out);
  const sessions = ourSessions('alice@example.com');
  assert.equal(sessions.length, 1);
  // Dovecot saw a TLS leg, the client's address and our session id (XCLIENT).
  assert.match(
    dovecot.log(),
    new RegExp(
      `managesieve-login: Info: Login: user=<alice@example\\.com>, method=PLAIN, rip=127\\.0\\.0\\.1, lip=127\\.0\\.0\\.1, mpid=\\d+, TLS, session=<${sessions[0]}>`,
    ),
  );
  assert.match(dovecot.log(), /managesieve\(alice@example\.com\).*: Info: Disconnected: Logged out/);
});

test('master user through the proxy: sieve-connect --authzid routes on the user and sees their scripts', async () => {
  const local = join(dir, 'bob.sieve');
  writeFileSync(local, 'keep;\r\n');
  let r = await sieveConnect('bob@example.com', 'bobpw', [`upload ${local} bobs`, 'quit']);
  assert.equal(r.code, 0, r.out);
  // PLAIN authzid = bob, authcid = master: the proxy routes on bob and replays it unchanged.
  r = await sieveConnect('master', 'masterpw', ['list', 'quit'], 'bob@example.com');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^"bobs"\s*$/m, r.out);
  const sessions = ourSessions('bob@example.com');
  assert.equal(sessions.length, 2);
  assert.match(
    dovecot.log(),
    new RegExp(
      `managesieve-login: Info: Login: user=<bob@example\\.com>, method=PLAIN, .*session=<${sessions[1]}>`,
    ),
  );
});

test('a destination with master credentials: the proxy logs in as its master user for the routed user', async () => {
  // carol's own password is not checked by the proxy (see docs/proxy.md, Security notes):
  // the "dm" destination logs in as master for carol.
  const r = await sieveConnect('carol@example.com', 'anything', ['list', 'quit']);
  assert.equal(r.code, 0, r.out);
  const sessions = ourSessions('carol@example.com');
  assert.equal(sessions.length, 1);
  assert.match(
    dovecot.log(),
    new RegExp(
      `managesieve-login: Info: Login: user=<carol@example\\.com>, method=PLAIN, .*session=<${sessions[0]}>`,
    ),
  );
});

test('python3-sievelib: STARTTLS, PLAIN, putscript, listscripts, setactive, getscript, deletescript', async () => {
  const r = await sievelibSession({
    port,
    user: 'alice@example.com',
    password: 'alicepw',
    script: 'require ["fileinto"];\r\nif header :is "x-spam" "yes" { fileinto "Junk"; }\r\n',
    sourceAddress: '127.0.0.2',
  });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^IMPL sievert proxy$/m);
  assert.match(r.out, /^LIST \(None, \['py'\]\)$/m);
  assert.match(r.out, /^ACTIVE py$/m);
  assert.match(r.out, /^SAME$/m);
  assert.match(r.out, /^AFTER \(None, \[\]\)$/m);
  assert.match(
    dovecot.log(),
    /managesieve-login: Info: Login: user=<alice@example\.com>, method=PLAIN, rip=127\.0\.0\.2,/,
  );
});

// php-net-sieve (and php-cli through php-pear) must be in .ci/run's package list; without it
// the test is reported as skipped rather than failing on a machine that lacks it.
test(
  'PHP Net_Sieve (Roundcube, Horde): STARTTLS with certificate checks, PLAIN, install, activate, get, remove',
  { skip: existsSync(NET_SIEVE) ? false : `${NET_SIEVE} missing: apt-get install php-net-sieve` },
  async () => {
    const r = await netSieveSession({
      port,
      user: 'alice@example.com',
      password: 'alicepw',
      script,
      caFile: certs.caFile,
    });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^ACTIVE php$/m);
    assert.match(r.out, /^LIST php$/m);
    assert.match(r.out, /^SAME$/m);
    assert.match(r.out, /^AFTER $/m);
  },
);

// Last: Dovecot delays logins from an address after a failure (auth penalty).
test('sieve-connect: a wrong password is refused', async () => {
  const r = await sieveConnect('alice@example.com', 'wrong', ['list', 'quit']);
  assert.notEqual(r.code, 0, r.out);
  assert.match(r.out, /^Authentication refused by server\n: "Authentication failed\."$/m, r.out);
});
