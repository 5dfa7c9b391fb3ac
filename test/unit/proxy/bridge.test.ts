/**
 * The bridge after login: bytes must arrive intact and in order both ways, whatever the read
 * sizes, with slow clients (backpressure while the backend leg reads into reused buffers) and
 * several sessions at once; what the backend sends just before it closes must still reach the
 * client.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { pino } from 'pino';
import { parseConfigText, startProxy, type RunningProxy } from '../../../src/proxy/index.js';

/** Deterministic bytes for one session (xorshift), so that any reordering or overwrite shows. */
function pattern(seed: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 255;
  }
  return b;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * A backend that logs anyone in, then: `t SEND seed size` sends the pattern in uneven chunks
 * (respecting backpressure) followed by `t OK sent`; `t LAST seed size` sends it and closes at
 * once; `t UPLOAD size` reads that many bytes and answers their SHA-256.
 */
async function backend(): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on('error', () => {});
    s.write('* OK [CAPABILITY IMAP4rev1 LITERAL+] test backend\r\n');
    let buf = Buffer.alloc(0);
    let upload: { tag: string; left: number; hash: ReturnType<typeof createHash> } | undefined;
    const send = async (data: Buffer, then: () => void): Promise<void> => {
      let off = 0;
      let n = 1;
      while (off < data.length) {
        n = (n * 7919 + 13) % 300_000;
        const end = Math.min(data.length, off + 1 + n);
        if (!s.write(data.subarray(off, end))) await new Promise((r) => s.once('drain', r));
        off = end;
      }
      then();
    };
    s.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (upload) {
          const take = Math.min(upload.left, buf.length);
          upload.hash.update(buf.subarray(0, take));
          buf = buf.subarray(take);
          upload.left -= take;
          if (upload.left > 0) return;
          s.write(`${upload.tag} OK ${upload.hash.digest('hex')}\r\n`);
          upload = undefined;
        }
        const lf = buf.indexOf(10);
        if (lf < 0) return;
        const [tag = '', verb = '', a = '0', b = '0'] = buf.toString('latin1', 0, lf).trim().split(' ');
        buf = buf.subarray(lf + 1);
        if (verb === 'LOGIN') s.write(`${tag} OK Logged in\r\n`);
        else if (verb === 'SEND')
          void send(pattern(Number(a), Number(b)), () => s.write(`${tag} OK sent\r\n`));
        else if (verb === 'LAST') void send(pattern(Number(a), Number(b)), () => s.end());
        else if (verb === 'UPLOAD') upload = { tag, left: Number(a), hash: createHash('sha256') };
        else s.write(`${tag} BAD\r\n`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

async function setup(t: { after(fn: () => Promise<void>): void }): Promise<number> {
  return (await setupWithBackend(t)).port;
}

async function setupWithBackend(t: {
  after(fn: () => Promise<void>): void;
}): Promise<{ port: number; backend: Server }> {
  const be = await backend();
  const proxy: RunningProxy = await startProxy(
    parseConfigText(
      `[listener.l]
protocol = "imap"
bind = ["127.0.0.1:0"]
[destination.a]
host = "127.0.0.1"
allow_plaintext_auth = true
[destination.a.protocol.imap]
port = ${be.port}
[routing]
default_destination = "a"
[capabilities.imap]
allow_plain_auth_without_tls = true
[limits]
shutdown_timeout = "200ms"
`,
      tmpdir(),
    ),
    { logger: pino({ level: 'silent' }) },
  );
  t.after(async () => {
    await proxy.close(200);
    be.server.close();
  });
  return { port: proxy.listeners.l![0]!.port, backend: be.server };
}

/** A client that reads everything into memory, optionally stalling now and then (a slow reader). */
class Client {
  data = Buffer.alloc(0);
  closed = false;
  private wake: (() => void) | null = null;

  private constructor(
    readonly socket: Socket,
    stallEvery: number,
  ) {
    let since = 0;
    socket.on('data', (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
      since += chunk.length;
      if (stallEvery > 0 && since >= stallEvery) {
        since = 0;
        socket.pause();
        setTimeout(() => socket.resume(), 15);
      }
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static async open(port: number, stallEvery = 0): Promise<Client> {
    const s = connect({ host: '127.0.0.1', port });
    await new Promise((r) => s.once('connect', r));
    const c = new Client(s, stallEvery);
    await c.until((d) => d.includes('\r\n'));
    c.data = Buffer.alloc(0);
    s.write('a1 LOGIN user secret\r\n');
    await c.until((d) => d.includes('a1 OK'));
    c.data = Buffer.alloc(0);
    return c;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async until(done: (d: Buffer) => boolean): Promise<void> {
    while (!done(this.data)) {
      if (this.closed) throw new Error(`closed after ${this.data.length} bytes`);
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  async closedNow(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => (this.wake = r));
  }
}

test('backend to client: exact bytes with slow and fast clients at once, uneven reads, backpressure', async (t) => {
  const port = await setup(t);
  const size = 6 * 1024 * 1024;
  const run = async (seed: number, stallEvery: number): Promise<void> => {
    const c = await Client.open(port, stallEvery);
    const trailer = Buffer.from(`a2 OK sent\r\n`);
    c.socket.write(`a2 SEND ${seed} ${size}\r\n`);
    await c.until((d) => d.length >= size + trailer.length);
    assert.equal(c.data.length, size + trailer.length, `session ${seed}: byte count`);
    assert.equal(sha(c.data.subarray(0, size)), sha(pattern(seed, size)), `session ${seed}: content`);
    assert.deepEqual(c.data.subarray(size), trailer);
    // The session is still usable after the transfer.
    c.data = Buffer.alloc(0);
    c.socket.write(`a3 SEND ${seed + 100} 10\r\n`);
    await c.until((d) => d.includes('a3 OK'));
    assert.deepEqual(c.data.subarray(0, 10), pattern(seed + 100, 10));
    c.socket.destroy();
  };
  await Promise.all([run(1, 256 * 1024), run(2, 0), run(3, 1024 * 1024), run(4, 0)]);
});

test('client to backend: an upload arrives intact', async (t) => {
  const port = await setup(t);
  const c = await Client.open(port);
  const body = pattern(9, 3 * 1024 * 1024 + 17);
  c.socket.write(`a2 UPLOAD ${body.length}\r\n`);
  for (let off = 0; off < body.length; off += 100_000) c.socket.write(body.subarray(off, off + 100_000));
  await c.until((d) => d.includes('\r\n'));
  assert.equal(c.data.toString('latin1'), `a2 OK ${sha(body)}\r\n`);
  c.socket.destroy();
});

test('what the backend sends just before closing reaches a slow client, then the client is closed', async (t) => {
  const port = await setup(t);
  const c = await Client.open(port, 128 * 1024);
  const size = 2 * 1024 * 1024;
  c.socket.write(`a2 LAST 5 ${size}\r\n`);
  await c.closedNow();
  assert.equal(c.data.length, size);
  assert.equal(sha(c.data), sha(pattern(5, size)));
});

test('when the backend closes, its leg is closed at once, whether or not the client has closed yet', async (t) => {
  const { port, backend: server } = await setupWithBackend(t);
  const backendClosed = new Promise<void>((resolve) =>
    server.on('connection', (s: Socket) => s.once('close', () => resolve())),
  );
  // A client that keeps its side open after the proxy's end (it never sends its own FIN).
  const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  t.after(() => void s.destroy());
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString('latin1')));
  await new Promise((r) => s.once('connect', r));
  s.write('a1 LOGIN user secret\r\n');
  while (!text.includes('a1 OK')) await new Promise((r) => setTimeout(r, 5));
  const ended = new Promise((r) => s.once('end', r));
  s.write('a2 LAST 7 1000\r\n');
  await ended;
  // The backend leg is half-open on our side: only closing it sends the backend our FIN.
  let late: NodeJS.Timeout | undefined;
  await Promise.race([
    backendClosed,
    new Promise(
      (_, reject) => (late = setTimeout(() => reject(new Error('the backend leg stayed open')), 2000)),
    ),
  ]);
  clearTimeout(late);
  assert.equal(s.destroyed, false, 'the client had not closed');
});
