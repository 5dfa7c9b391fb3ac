import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { certificateSha256 } from '../../../src/net/tls.js';
import {
  acceptTlsOn,
  dial,
  FakeBackend,
  makeCerts,
  portOf,
  proxyFrom,
  type Peer,
  type TestCerts,
} from './helpers.js';

let certs: TestCerts;
let other: TestCerts;
before(() => {
  certs = makeCerts();
  other = makeCerts();
});
after(() => {
  certs.cleanup();
  other.cleanup();
});

/** A proxy whose destination uses implicit TLS with the given extra destination keys. */
async function setup(
  t: TestContext,
  destinationKeys: string,
): Promise<{ backend: FakeBackend; login: () => Promise<string> }> {
  const backend = await FakeBackend.start();
  const proxy = await proxyFrom(`
[listener.imap]
protocol = "imap"
bind = ["127.0.0.1:0"]
[destination.a]
host = "127.0.0.1"
timeout = "2s"
${destinationKeys}
[destination.a.protocol.imap]
port = ${backend.port}
tls = "implicit"
[routing]
default_destination = "a"
[capabilities.imap]
allow_plain_auth_without_tls = true
[limits]
auth_failure_delay = 0
`);
  t.after(async () => {
    await proxy.close(0);
    await backend.close();
  });
  return {
    backend,
    login: async () => {
      const c = await dial(portOf(proxy, 'imap'));
      await c.expect(/^\* OK /);
      c.send('a LOGIN u p');
      const reply = await c.line();
      c.close();
      return reply;
    },
  };
}

const tlsLogin = (serverCerts: TestCerts, clientCa?: Buffer) => async (b: Peer) => {
  await acceptTlsOn(b, serverCerts, clientCa);
  b.send('* OK [CAPABILITY IMAP4rev1] ready');
  await b.expect('S1 LOGIN "u" "p"');
  b.send('S1 OK Logged in');
};

const tlsFails = (serverCerts: TestCerts) => async (b: Peer) => {
  await acceptTlsOn(b, serverCerts).catch(() => undefined);
};

test(
  'implicit TLS to the backend, verified against tls_ca and tls_server_name',
  { timeout: 8000 },
  async (t) => {
    const { backend, login } = await setup(t, `tls_server_name = "localhost"\ntls_ca = "${certs.caFile}"`);
    backend.script(tlsLogin(certs));
    assert.equal(await login(), 'a OK Logged in');
    backend.script(tlsFails(other));
    assert.equal(
      await login(),
      'a NO [UNAVAILABLE] backend unavailable',
      'a certificate from another CA is refused',
    );
    await backend.done();
  },
);

test(
  'a wrong tls_server_name is refused; tls_allow_invalid_certs accepts anything',
  { timeout: 8000 },
  async (t) => {
    const strict = await setup(t, `tls_server_name = "mail.example.org"\ntls_ca = "${certs.caFile}"`);
    strict.backend.script(tlsFails(certs));
    assert.equal(await strict.login(), 'a NO [UNAVAILABLE] backend unavailable');
    const lax = await setup(t, 'tls_server_name = "whatever"\ntls_allow_invalid_certs = true');
    lax.backend.script(tlsLogin(other));
    assert.equal(await lax.login(), 'a OK Logged in');
  },
);

test('a pinned certificate hash is required and enough', { timeout: 8000 }, async (t) => {
  const { X509Certificate } = await import('node:crypto');
  const der = new X509Certificate(certs.cert).raw;
  const { login, backend } = await setup(t, `tls_pin_sha256 = ["${certificateSha256(der).hex}"]`);
  backend.script(tlsLogin(certs));
  assert.equal(await login(), 'a OK Logged in');
  backend.script(tlsFails(other));
  assert.equal(await login(), 'a NO [UNAVAILABLE] backend unavailable');
});

test('a client certificate is presented when the backend asks for one', { timeout: 8000 }, async (t) => {
  const { login, backend } = await setup(
    t,
    `tls_server_name = "localhost"\ntls_ca = "${certs.caFile}"\ntls_client_cert = "${other.certFile}"\ntls_client_key = "${other.keyFile}"`,
  );
  backend.script(async (b) => {
    await tlsLogin(certs, other.ca)(b);
    assert.equal(String((b.socket as TLSSocket).getPeerCertificate().subject.CN), 'localhost');
  });
  assert.equal(await login(), 'a OK Logged in');
  await backend.done();
});
