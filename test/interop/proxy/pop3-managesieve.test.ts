import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningProxy } from '../../../src/proxy/index.js';
import { b64, dial, makeCerts, portOf, proxyFrom, type TestCerts } from '../../unit/proxy/helpers.js';
import { python, startDovecot, type Dovecot } from './dovecot.js';

// One Dovecot behind the proxy for POP3 (STLS towards the backend) and ManageSieve (XCLIENT).
let certs: TestCerts;
let dovecot: Dovecot;
let proxy: RunningProxy;

before(async () => {
  certs = makeCerts();
  dovecot = await startDovecot({
    name: 'pop3-sieve',
    users: { 'alice@example.com': 'alicepw' },
    masters: { master: 'masterpw' },
    certs,
  });
  proxy = await proxyFrom(`
[listener.pop3]
protocol = "pop3"
bind = ["127.0.0.1:0"]
[listener.sieve]
protocol = "managesieve"
bind = ["127.0.0.1:0"]
[destination.dovecot]
host = "127.0.0.1"
tls_server_name = "localhost"
tls_ca = "${certs.caFile}"
forwarding = "xclient"
[destination.dovecot.protocol.pop3]
port = ${dovecot.ports.pop3}
tls = "starttls"
[destination.dovecot.protocol.managesieve]
port = ${dovecot.ports.sieve}
tls = "starttls"
[routing]
default_destination = "dovecot"
master_user_separators = ["*"]
[capabilities.pop3]
allow_plain_auth_without_tls = true
[capabilities.managesieve]
allow_plain_auth_without_tls = true
[limits]
auth_failure_delay = 0
`);
});

after(async () => {
  await proxy?.close(0);
  await dovecot?.stop();
  certs?.cleanup();
});

test('poplib through the proxy (STLS to Dovecot, XCLIENT): RETR returns the message appended directly', async () => {
  const out = await python(`
import imaplib, poplib, socket
msg = b'From: a@example.com\\r\\nSubject: pop\\r\\n\\r\\n' + b''.join(b'.line %d with a leading dot\\r\\n' % i for i in range(500))
D = imaplib.IMAP4('127.0.0.1', ${dovecot.ports.imap})
D.login('alice@example.com', 'alicepw')
D.append('INBOX', None, None, msg)
D.logout()
_cc = socket.create_connection
socket.create_connection = lambda addr, timeout=None, source_address=None: _cc(addr, timeout, ('127.0.0.2', 0))
P = poplib.POP3('127.0.0.1', ${portOf(proxy, 'pop3')})
print(P.getwelcome().decode())
try:
    P.user('alice@example.com'); P.pass_('wrong')
except poplib.error_proto as e:
    print('ERR', e)
P.user('alice@example.com')
print(P.pass_('alicepw').decode())
resp, lines, octets = P.retr(1)
print('SAME' if b'\\r\\n'.join(lines) + b'\\r\\n' == msg else 'DIFFERENT')
P.quit()
`);
  assert.match(out, /^\+OK sievert proxy ready\./m);
  assert.match(out, /^ERR .*Authentication failed/m);
  assert.match(out, /^\+OK Logged in\./m);
  assert.match(out, /^SAME$/m);
  assert.match(
    dovecot.log(),
    /pop3-login: Info: Login: user=<alice@example\.com>, method=PLAIN, rip=127\.0\.0\.2, lip=127\.0\.0\.1, mpid=\d+, TLS, session=<[\w-]{12}>/,
  );
});

test('ManageSieve through the proxy: AUTHENTICATE with a literal, PUTSCRIPT, GETSCRIPT byte-identical', async () => {
  const c = await dial(portOf(proxy, 'sieve'), '127.0.0.2');
  for (let i = 0; i < 20; i++) if (/^OK /.test(await c.line())) break;
  const ir = b64('\0alice@example.com\0alicepw');
  c.send(`AUTHENTICATE "PLAIN" {${ir.length}+}`);
  c.send(ir);
  await c.expect(/^OK "Logged in\."$/);
  const script = 'require ["fileinto"];\r\nif header :contains "subject" "x" { fileinto "X"; }\r\n';
  c.send(`PUTSCRIPT "main" {${script.length}+}`);
  c.sendRaw(script + '\r\n');
  await c.expect(/^OK/);
  c.send('SETACTIVE "main"');
  await c.expect(/^OK/);
  c.send('GETSCRIPT "main"');
  await c.expect(`{${script.length}}`);
  assert.equal((await c.reader.readBytes(script.length)).toString(), script);
  await c.expect('');
  await c.expect(/^OK/);
  c.send('LOGOUT');
  await c.expect(/^OK/);
  c.close();
  assert.match(
    dovecot.log(),
    /managesieve-login: Info: Login: user=<alice@example\.com>, method=PLAIN, rip=127\.0\.0\.2, lip=127\.0\.0\.1, mpid=\d+, TLS, session=<[\w-]{12}>/,
  );
});

test('POP3 master-user login through the proxy: USER alice*master routes on alice, Dovecot logs alice', async () => {
  const out = await python(`
import poplib, socket
_cc = socket.create_connection
socket.create_connection = lambda addr, timeout=None, source_address=None: _cc(addr, timeout, ('127.0.0.3', 0))
P = poplib.POP3('127.0.0.1', ${portOf(proxy, 'pop3')})
P.user('alice@example.com*master')
print(P.pass_('masterpw').decode())
print('STAT', P.stat()[0])
P.quit()
`);
  assert.match(out, /^\+OK Logged in\.$/m);
  assert.match(out, /^STAT \d+$/m);
  assert.match(
    dovecot.log(),
    /pop3-login: Info: Login: user=<alice@example\.com>, method=PLAIN, rip=127\.0\.0\.3, lip=127\.0\.0\.1, mpid=\d+, TLS, session=<[\w-]{12}>/,
  );
});
