import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { after, before, test } from 'node:test';
import * as tls from 'node:tls';
import { parseCidr } from '../../../src/net/cidr.js';
import { listen, type InboundConnection, type ListenerOptions } from '../../../src/net/listener.js';
import { serverTlsOptions } from '../../../src/net/tls.js';
import { makeCerts, type TestCerts } from '../proxy/helpers.js';

let certs: TestCerts;
before(() => {
  certs = makeCerts();
});
after(() => certs.cleanup());

/** A listener whose sessions greet with the addresses they see, then echo one line. */
async function echoListener(o: Partial<ListenerOptions>): Promise<{ port: number; close(): Promise<void> }> {
  const conns: InboundConnection[] = [];
  const l = await listen({
    bind: ['127.0.0.1:0'],
    tls: 'plain',
    proxyProtocol: 'off',
    proxyTrusted: [],
    proxyWaitMs: 100,
    maxConnections: 10,
    maxConnectionsPerAddress: 10,
    maxLine: 1000,
    handshakeTimeoutMs: 2000,
    onConnection: (c) => {
      conns.push(c);
      c.socket.write(
        `hello ${c.remoteAddress}:${c.remotePort} -> ${c.localAddress}:${c.localPort} secure=${c.secure}\r\n`,
      );
      c.reader.readLine().then(
        (line) => c.socket.end(`echo ${line}\r\n`),
        () => c.close(),
      );
    },
    ...o,
  });
  return {
    port: l.addresses[0]!.port,
    close: async () => {
      for (const c of conns) c.close();
      await l.close();
    },
  };
}

function collect(s: Socket | tls.TLSSocket): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
  });
}

test(
  'implicit TLS behind a PROXY v1 header sent in the same packet as the ClientHello',
  { timeout: 5000 },
  async () => {
    const l = await echoListener({
      tls: 'implicit',
      tlsOptions: serverTlsOptions([{ cert: certs.cert, key: certs.key }]),
      proxyProtocol: 'required',
      proxyTrusted: [parseCidr('127.0.0.0/8')!],
    });
    try {
      const raw = connect({ host: '127.0.0.1', port: l.port });
      await new Promise((r) => raw.once('connect', r));
      // TLS over a JS stream whose first write carries the header and the ClientHello together.
      let header: Buffer | undefined = Buffer.from('PROXY TCP4 192.0.2.9 198.51.100.1 40000 993\r\n');
      const wire = new Duplex({
        write(chunk: Buffer, _enc, cb) {
          raw.write(header ? Buffer.concat([header, chunk]) : chunk, cb);
          header = undefined;
        },
        read() {},
        final(cb) {
          raw.end(cb);
        },
      });
      raw.on('data', (d: Buffer) => wire.push(d));
      raw.on('end', () => wire.push(null));
      const s = tls.connect({ socket: wire, ca: certs.ca, servername: 'localhost' });
      await new Promise((r) => s.once('secureConnect', r));
      const out = collect(s);
      s.write('ping\r\n');
      assert.equal(await out, 'hello 192.0.2.9:40000 -> 198.51.100.1:993 secure=true\r\necho ping\r\n');
    } finally {
      await l.close();
    }
  },
);

test('optional PROXY header: used when a trusted peer sends one, skipped after the wait when not', async () => {
  const l = await echoListener({ proxyProtocol: 'optional', proxyTrusted: [parseCidr('127.0.0.1')!] });
  try {
    const a = connect({ host: '127.0.0.1', port: l.port });
    const aOut = collect(a);
    a.write('PROXY TCP6 2001:db8::1 2001:db8::2 1000 143\r\nping\r\n');
    assert.equal(await aOut, 'hello 2001:db8::1:1000 -> 2001:db8::2:143 secure=false\r\necho ping\r\n');
    const b = connect({ host: '127.0.0.1', port: l.port });
    const bOut = collect(b);
    await new Promise((r) => b.once('data', r));
    b.write('ping\r\n');
    assert.match(await bOut, /^hello 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ secure=false\r\necho ping\r\n$/);
  } finally {
    await l.close();
  }
});

test('per-address connection cap: the extra connection is closed, others keep working', async () => {
  const l = await echoListener({ maxConnectionsPerAddress: 2 });
  try {
    const socks = [0, 1, 2].map(() => connect({ host: '127.0.0.1', port: l.port }));
    const outs = socks.map(collect);
    assert.equal(await outs[2], '');
    socks[0]!.write('one\r\n');
    assert.match(await outs[0]!, /echo one/);
  } finally {
    await l.close();
  }
});

test('a bad bind address is refused by name, and what was already bound is closed again', async () => {
  const first = await echoListener({});
  const port = first.port;
  await first.close();
  for (const bad of ['nonsense', 'unix:', '127.0.0.1:99999']) {
    await assert.rejects(
      echoListener({ bind: [`127.0.0.1:${port}`, bad] }),
      new RegExp(`bad bind address "${bad}"; expected host:port, \\[v6\\]:port or unix:/path`),
      bad,
    );
    // The first address was bound, then closed when the second was refused: it is free again.
    const again = await echoListener({ bind: [`127.0.0.1:${port}`] });
    await again.close();
  }
});
