import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { pino, type Logger } from 'pino';
import { LineReader } from '../../../src/net/line-reader.js';
import { parseConfigText, startProxy, type RunningProxy } from '../../../src/proxy/index.js';

export const silent = pino({ level: 'silent' });

/** A self-signed CA and a certificate for `localhost` / 127.0.0.1, made with the openssl CLI. */
export interface TestCerts {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  cleanup(): void;
}

/**
 * A certificate for `san` only (e.g. `DNS:localhost` with no IP, `email:alice@example.com`), with
 * subject CN `cn`, signed by the test CA in `ca.dir`; its files are `<file>.pem` / `<file>.key`.
 */
export function signCert(
  ca: Pick<TestCerts, 'dir'>,
  san: string,
  { cn = 'other', file = 'other' }: { cn?: string; file?: string } = {},
): { cert: Buffer; key: Buffer; certFile: string; keyFile: string } {
  const f = (n: string): string => join(ca.dir, n);
  const run = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  run(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`].concat([
      '-keyout',
      f(`${file}.key`),
      '-out',
      f(`${file}.csr`),
    ]),
  );
  writeFileSync(f(`${file}.cnf`), `subjectAltName=${san}\n`);
  run(
    ['x509', '-req', '-in', f(`${file}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key')].concat([
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      f(`${file}.pem`),
      '-extfile',
      f(`${file}.cnf`),
    ]),
  );
  return {
    cert: readFileSync(f(`${file}.pem`)),
    key: readFileSync(f(`${file}.key`)),
    certFile: f(`${file}.pem`),
    keyFile: f(`${file}.key`),
  };
}

export function makeCerts(names: string[] = ['localhost']): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'sievert-certs-'));
  const f = (n: string): string => join(dir, n);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=sievert test CA'].concat([
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.pem'),
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=keyCertSign',
    ]),
    { stdio: 'ignore' },
  );
  const san = ['IP:127.0.0.1', ...names.map((n) => `DNS:${n}`)].join(',');
  const leaf = signCert({ dir }, san, { cn: names[0], file: 'cert' });
  return {
    dir,
    caFile: f('ca.pem'),
    certFile: leaf.certFile,
    keyFile: leaf.keyFile,
    ca: readFileSync(f('ca.pem')),
    cert: leaf.cert,
    key: leaf.key,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** One side of a conversation, line by line, with a timeout on every read so a failing test never hangs. */
export class Peer {
  reader: LineReader;
  constructor(public socket: Socket | tls.TLSSocket) {
    socket.on('error', () => {});
    this.reader = new LineReader(socket, 1 << 20);
  }

  send(line: string): void {
    this.socket.write(line + '\r\n');
  }

  sendRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  async line(ms = 3000): Promise<string> {
    let t: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.reader.readLine(),
        new Promise<never>((_, rej) => {
          t = setTimeout(() => rej(new Error('timed out waiting for a line')), ms);
        }),
      ]);
    } finally {
      clearTimeout(t);
    }
  }

  /** Reads a line and checks it: exact text, or a pattern. */
  async expect(want: string | RegExp, ms?: number): Promise<string> {
    const got = await this.line(ms);
    if (typeof want === 'string') assert.equal(got, want);
    else assert.match(got, want);
    return got;
  }

  /** Resolves when the peer closes its side. */
  closed(ms = 3000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed || this.socket.readableEnded) return resolve();
      const t = setTimeout(() => reject(new Error('peer did not close')), ms);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  async startTls(ca: Buffer, servername = 'localhost'): Promise<void> {
    this.reader.detach();
    this.socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: this.socket, ca, servername }, () => resolve(s));
      s.once('error', reject);
    });
    this.socket.on('error', () => {});
    this.reader = new LineReader(this.socket, 1 << 20);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function dial(port: number, localAddress?: string): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(new Peer(s)));
    s.once('error', reject);
  });
}

export function dialTls(port: number, ca: Buffer, servername = 'localhost'): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername }, () => resolve(new Peer(s)));
    s.once('error', reject);
  });
}

/**
 * A scripted backend: each accepted connection is handed to the next script in order, which
 * plays the backend's side of the dialogue byte for byte. Failed expectations are collected
 * and checked by `done()`.
 */
export class FakeBackend {
  readonly port: number;
  readonly errors: unknown[] = [];
  readonly sockets: Socket[] = [];
  private scripts: ((p: Peer) => Promise<void>)[] = [];
  private running: Promise<void>[] = [];
  connections = 0;

  private constructor(private server: Server) {
    const a = server.address();
    this.port = a && typeof a === 'object' ? a.port : 0;
  }

  static async start(): Promise<FakeBackend> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const fb = new FakeBackend(server);
    server.on('connection', (s) => fb.accept(s));
    return fb;
  }

  private accept(s: Socket): void {
    this.connections++;
    this.sockets.push(s);
    const script = this.scripts.shift();
    const peer = new Peer(s);
    if (!script) {
      s.destroy();
      return;
    }
    this.running.push(
      script(peer).catch((e: unknown) => {
        this.errors.push(e);
        s.destroy();
      }),
    );
  }

  /** Queues the script for the next connection. */
  script(fn: (p: Peer) => Promise<void>): this {
    this.scripts.push(fn);
    return this;
  }

  async done(): Promise<void> {
    await Promise.all(this.running);
    if (this.errors.length > 0) throw this.errors[0];
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Upgrades the backend side of a fake connection to TLS. */
export async function acceptTlsOn(
  peer: Peer,
  certs: TestCerts,
  requestClientCertFrom?: Buffer,
): Promise<void> {
  peer.reader.detach();
  peer.socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const s = new tls.TLSSocket(peer.socket, {
      isServer: true,
      cert: certs.cert,
      key: certs.key,
      requestCert: requestClientCertFrom !== undefined,
      rejectUnauthorized: requestClientCertFrom !== undefined,
      ca: requestClientCertFrom,
    });
    s.once('secure', () => resolve(s));
    s.once('error', reject);
    s.once('close', () => reject(new Error('closed during the TLS handshake')));
  });
  peer.socket.on('error', () => {});
  peer.reader = new LineReader(peer.socket, 1 << 20);
}

/** Starts a proxy from TOML text (listener ports may be 0). */
export async function proxyFrom(
  toml: string,
  baseDir = tmpdir(),
  logger: Logger = silent,
): Promise<RunningProxy> {
  return startProxy(parseConfigText(toml, baseDir), { logger });
}

/** A logger that keeps every JSON log line, to check what the proxy logs (and what it never logs). */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

export function portOf(p: RunningProxy, listener: string): number {
  const a = p.listeners[listener]?.[0];
  assert.ok(a, `listener ${listener} is bound`);
  return a.port;
}

export const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');

export type ProxyProtocol = 'imap' | 'pop3' | 'managesieve' | 'submission';
export const proxyProtocols: readonly ProxyProtocol[] = ['imap', 'pop3', 'managesieve', 'submission'];

export interface ProtocolSetup {
  proxy: RunningProxy;
  backend: FakeBackend;
  port: number;
  /** A client connection, optionally from another loopback address (127.0.0.2 …). */
  client: (localAddress?: string) => Promise<Peer>;
  /** A client connection with the proxy's greeting already read. */
  greeted: (localAddress?: string) => Promise<Peer>;
  /** A greeted client that may log in: in submission, after EHLO and the last line of its 250. */
  ready: (localAddress?: string) => Promise<Peer>;
}

/**
 * A proxy with one plain listener for `protocol` (listener id `l`) in front of one fake
 * backend (destination `a`, plaintext leg allowed, `timeout` 1 s, no failure delay). `listener`,
 * `destination`, `routing`, `limits` and `extra` are TOML added to those sections and to the file.
 * Everything started here is stopped when the test ends.
 */
export async function protocolProxy(
  t: { after(fn: () => Promise<void>): void },
  protocol: ProxyProtocol,
  o: {
    listener?: string;
    destination?: string;
    routing?: string;
    limits?: string;
    extra?: string;
    forwarding?: string;
    /** The destination's `timeout` for the whole backend login (default 1 s). */
    timeout?: string;
    /** The backend leg's TLS mode (default plain). */
    backendTls?: 'plain' | 'starttls';
    /** `allow_plain_auth_without_tls` (default true). */
    cleartext?: boolean;
    /** TOML added to the `[capabilities.<protocol>]` section. */
    capabilities?: string;
    logger?: Logger;
  } = {},
): Promise<ProtocolSetup> {
  const backend = await FakeBackend.start();
  let proxy: RunningProxy;
  try {
    proxy = await proxyFrom(
      `
[listener.l]
protocol = "${protocol}"
bind = ["127.0.0.1:0"]
${o.listener ?? ''}
[destination.a]
host = "127.0.0.1"
forwarding = "${o.forwarding ?? 'none'}"
allow_plaintext_auth = true
timeout = "${o.timeout ?? '1s'}"
${o.destination ?? ''}
[destination.a.protocol.${protocol}]
port = ${backend.port}
tls = "${o.backendTls ?? 'plain'}"
[routing]
default_destination = "a"
${o.routing ?? ''}
[capabilities.${protocol}]
allow_plain_auth_without_tls = ${o.cleartext ?? true}
${o.capabilities ?? ''}
[limits]
${o.limits ?? 'auth_failure_delay = 0'}
${o.extra ?? ''}`,
      tmpdir(),
      o.logger,
    );
  } catch (e) {
    await backend.close();
    throw e;
  }
  t.after(async () => {
    await proxy.close(0);
    await backend.close();
  });
  const port = portOf(proxy, 'l');
  const client = (localAddress?: string): Promise<Peer> => dial(port, localAddress);
  const greeted = async (localAddress?: string): Promise<Peer> => {
    const c = await client(localAddress);
    await readGreeting(c, protocol);
    return c;
  };
  return {
    proxy,
    backend,
    port,
    client,
    greeted,
    ready: async (localAddress) => {
      const c = await greeted(localAddress);
      if (protocol === 'submission') {
        c.send('EHLO client.example.net');
        for (;;) if ((await c.line()).startsWith('250 ')) break;
      }
      return c;
    },
  };
}

/**
 * protocolProxy with the test certificates, as the per-protocol tests use it: the listener can
 * offer STARTTLS, the backend leg verifies the backend (`localhost`, the test CA), and the client's
 * address is forwarded by XCLIENT (IMAP ID).
 */
export function tlsProtocolProxy(
  t: { after(fn: () => Promise<void>): void },
  protocol: ProxyProtocol,
  certs: TestCerts,
  o: {
    listenerTls?: 'plain' | 'starttls';
    backendTls?: 'plain' | 'starttls';
    cleartext?: boolean;
    capabilities?: string;
  } = {},
): Promise<ProtocolSetup> {
  return protocolProxy(t, protocol, {
    forwarding: 'xclient',
    listener: `tls = "${o.listenerTls ?? 'plain'}"\ncert = "${certs.certFile}"\nkey = "${certs.keyFile}"`,
    destination: `tls_server_name = "localhost"\ntls_ca = "${certs.caFile}"`,
    backendTls: o.backendTls,
    cleartext: o.cleartext,
    capabilities: o.capabilities,
  });
}

/** Reads the proxy's greeting for `protocol` (ManageSieve: the whole capability block and OK). */
export async function readGreeting(c: Peer, protocol: ProxyProtocol): Promise<string> {
  switch (protocol) {
    case 'imap':
      return c.expect(/^\* OK /);
    case 'pop3':
      return c.expect(/^\+OK /);
    case 'submission':
      return c.expect(/^220 /);
    case 'managesieve':
      for (let i = 0; i < 20; i++) {
        const line = await c.line();
        if (line.startsWith('OK ')) return line;
      }
      throw new Error('no OK after the capability block');
  }
}

/** The first line the peer sends, or `closed` when it closes first (connection refused by a cap). */
export function firstLineOrClose(p: Peer, ms = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('neither a line nor a close')), ms);
    p.reader.readLine().then(
      (line) => {
        clearTimeout(t);
        resolve(line);
      },
      () => {
        clearTimeout(t);
        resolve('closed');
      },
    );
  });
}

/** Sends `text` one byte per packet (a setImmediate between bytes so they are not coalesced). */
export async function dribble(p: Peer, text: string | Buffer): Promise<void> {
  for (const ch of Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1')) {
    p.sendRaw(Buffer.from([ch]));
    await new Promise((r) => setImmediate(r));
  }
}
