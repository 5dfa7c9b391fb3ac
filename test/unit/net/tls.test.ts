// connectTls: the backend's certificate is checked against the name it is reached by.
import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { test } from 'node:test';
import * as tls from 'node:tls';
import { connectTls } from '../../../src/net/index.js';
import { makeCerts, signCert } from '../proxy/helpers.js';

/** A plain TCP server that starts TLS at once with this certificate (as after STARTTLS). */
async function tlsAfterConnect(cert: {
  cert: Buffer;
  key: Buffer;
}): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    const t = new tls.TLSSocket(s, { isServer: true, cert: cert.cert, key: cert.key });
    t.on('error', () => t.destroy());
    // The test's client goes away after the handshake: end this side too.
    t.on('end', () => t.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

const plainSocket = (port: number) =>
  new Promise<ReturnType<typeof connect>>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });

test('over an existing socket with no server name, the certificate must cover the peer address', async (t) => {
  const certs = makeCerts();
  t.after(() => certs.cleanup());
  // Signed by the trusted CA, but for "localhost" only: not for 127.0.0.1.
  const onlyLocalhost = await tlsAfterConnect(signCert(certs, 'DNS:localhost'));
  const withIp = await tlsAfterConnect(certs);
  t.after(() => {
    onlyLocalhost.server.close();
    withIp.server.close();
    onlyLocalhost.server.unref();
    withIp.server.unref();
  });
  await assert.rejects(
    connectTls({ socket: await plainSocket(onlyLocalhost.port) }, { ca: certs.ca }, 5000),
    /127\.0\.0\.1|altnames/i,
  );
  // Named explicitly, the same certificate is right.
  const named = await connectTls(
    { socket: await plainSocket(onlyLocalhost.port) },
    { ca: certs.ca, servername: 'localhost' },
    5000,
  );
  named.destroy();
  // A certificate with the address in it passes without a name.
  const byIp = await connectTls({ socket: await plainSocket(withIp.port) }, { ca: certs.ca }, 5000);
  byIp.destroy();
});
