import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningProxy } from '../../../src/proxy/index.js';
import { capturingLogger, makeCerts, portOf, proxyFrom, type TestCerts } from '../../unit/proxy/helpers.js';
import { python, startDovecot, type Dovecot } from './dovecot.js';

// Two Dovecot instances behind the proxy: alice lives on "a" (the default, reached with
// STARTTLS), bob on "b" (listed in the mapping file, plaintext leg allowed).
let certs: TestCerts;
let a: Dovecot;
let b: Dovecot;
let c: Dovecot;
let proxy: RunningProxy;
let dir: string;
let port: number;
let tlsPort: number;
const logs = capturingLogger();

before(async () => {
  certs = makeCerts();
  dir = mkdtempSync(join(tmpdir(), 'sievert-proxy-interop-'));
  [a, b, c] = await Promise.all([
    startDovecot({
      name: 'a',
      users: { 'alice@example.com': 'alicepw' },
      masters: { master: 'masterpw' },
      certs,
    }),
    startDovecot({ name: 'b', users: { 'bob@example.com': 'bobpw' }, certs }),
    startDovecot({ name: 'c', users: { 'carol@example.com': 'carolpw' }, certs, haproxy: true }),
  ]);
  writeFileSync(join(dir, 'routes.tsv'), 'bob@example.com\tb\ncarol@example.com c\n');
  proxy = await proxyFrom(
    `
[listener.imap]
protocol = "imap"
bind = ["127.0.0.1:0"]
[listener.imap-starttls]
protocol = "imap"
bind = ["127.0.0.1:0"]
tls = "starttls"
cert = "${certs.certFile}"
key = "${certs.keyFile}"
[destination.a]
host = "127.0.0.1"
tls_server_name = "localhost"
tls_ca = "${certs.caFile}"
forwarding = "xclient"
[destination.a.protocol.imap]
port = ${a.ports.imap}
tls = "starttls"
[destination.b]
host = "127.0.0.1"
forwarding = "xclient"
allow_plaintext_auth = true
[destination.b.protocol.imap]
port = ${b.ports.imap}
[destination.c]
host = "127.0.0.1"
forwarding = "proxy"
allow_plaintext_auth = true
[destination.c.protocol.imap]
port = ${c.ports.imap}
[routing]
default_destination = "a"
master_user_separators = ["*"]
[mapping]
source = "file"
[mapping.file]
path = "routes.tsv"
[capabilities.imap]
allow_plain_auth_without_tls = true
[limits]
auth_failure_delay = 0
`,
    dir,
    logs.logger,
  );
  port = portOf(proxy, 'imap');
  tlsPort = portOf(proxy, 'imap-starttls');
});

after(async () => {
  await proxy?.close(0);
  await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
  certs?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Python prelude: imaplib connecting from 127.0.0.2 so the forwarded address is visible. */
const prelude = (p: number) => `
import imaplib, socket, ssl, sys, base64
_cc = socket.create_connection
socket.create_connection = lambda addr, timeout=None, source_address=None: _cc(addr, timeout, ('127.0.0.2', 0))
M = imaplib.IMAP4('127.0.0.1', ${p})
`;

test('imaplib logs in through the proxy over STARTTLS to Dovecot; Dovecot sees the client address and our session id', async () => {
  const out = await python(`${prelude(port)}
typ, caps = M.capability()
print(typ, caps[0].decode())
typ, data = M.login('alice@example.com', 'alicepw')
print(typ, data[0].decode())
typ, data = M.list()
print(typ, len(data))
M.logout()
`);
  assert.match(out, /^OK IMAP4rev1 .*AUTH=PLAIN/m);
  assert.match(out, /^OK (\[CAPABILITY [^\]]*\] )?Logged in/m);
  const log = a.log();
  const m =
    /imap-login: Info: Login: user=<alice@example\.com>, method=PLAIN, rip=127\.0\.0\.2, lip=127\.0\.0\.1, mpid=\d+, (?:secured|TLS), session=<([\w-]+)>/.exec(
      log,
    );
  assert.ok(m, `Dovecot log shows the forwarded address and session id:\n${log}`);
  const ours = logs.lines.map((l) => JSON.parse(l) as { session?: string; event?: string; outcome?: string });
  assert.ok(
    ours.some((l) => l.session === m[1] && l.event === 'login' && l.outcome === 'ok'),
    'the session id Dovecot logged is the one in our login log line',
  );
});

test('routing by the mapping file: bob reaches instance b, and a wrong password can be retried', async () => {
  const out = await python(`${prelude(port)}
try:
    M.login('bob@example.com', 'wrong')
except imaplib.IMAP4.error as e:
    print('NO', e)
typ, data = M.login('bob@example.com', 'bobpw')
print(typ, data[0].decode())
M.logout()
`);
  assert.match(out, /^NO .*AUTHENTICATIONFAILED/m);
  assert.match(out, /^OK (\[CAPABILITY [^\]]*\] )?Logged in/m);
  assert.match(b.log(), /Login: user=<bob@example\.com>, method=PLAIN, rip=127\.0\.0\.2/);
  assert.doesNotMatch(a.log(), /bob@example\.com/);
});

const aliceLogins = (): number =>
  a.log().match(/Login: user=<alice@example\.com>, method=PLAIN, rip=127\.0\.0\.2/g)?.length ?? 0;

test('master-user logins: user*master and PLAIN with an authorization identity route on the user', async () => {
  const before = aliceLogins();
  const out = await python(`${prelude(port)}
typ, data = M.login('alice@example.com*master', 'masterpw')
print(typ, data[0].decode())
M.logout()
M = imaplib.IMAP4('127.0.0.1', ${port})
typ, data = M.authenticate('PLAIN', lambda _: b'alice@example.com\\0master\\0masterpw')
print(typ, data[0].decode())
M.logout()
`);
  assert.equal(out.match(/^OK (\[CAPABILITY [^\]]*\] )?Logged in/gm)?.length, 2, out);
  assert.equal(aliceLogins(), before + 2);
});

test('a message appended and fetched through the proxy comes back byte-identical', async () => {
  const out = await python(`${prelude(tlsPort)}
ctx = ssl.create_default_context(cafile='${certs.caFile}')
M.starttls(ssl_context=ctx)
M.login('alice@example.com', 'alicepw')
import random
random.seed(7)
body = b''.join(b'line %d ' % i + bytes(random.choice(b'abcdefghij =.,-') for _ in range(70)) + b'\\r\\n' for i in range(4000))
msg = b'From: a@example.com\\r\\nTo: alice@example.com\\r\\nSubject: bytes\\r\\n\\r\\n' + body
typ, _ = M.append('INBOX', None, None, msg)
M.select('INBOX')
typ, data = M.fetch(b'1', '(BODY.PEEK[])')
got = data[0][1]
print('SAME' if got == msg else 'DIFFERENT', len(msg))
M.logout()
`);
  assert.match(out, /^SAME \d{6}/m);
});

test('forwarding = "proxy": a PROXY v2 header gives Dovecot (haproxy = yes) the client address', async () => {
  const out = await python(`${prelude(port)}
typ, data = M.login('carol@example.com', 'carolpw')
print(typ)
M.logout()
`);
  assert.match(out, /^OK$/m);
  assert.match(
    c.log(),
    /imap-login: Info: Login: user=<carol@example\.com>, method=PLAIN, rip=127\.0\.0\.2, lip=127\.0\.0\.1/,
  );
});

test('no password or token ever appears in the proxy log', () => {
  const all = logs.lines.join('\n');
  assert.ok(logs.lines.length > 10);
  for (const secret of ['alicepw', 'bobpw', 'masterpw', 'carolpw', 'wrong'])
    assert.ok(!all.includes(secret), secret);
});
