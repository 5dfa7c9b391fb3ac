/**
 * The fake IMAP backend both proxies sit in front of: as little work as possible per login and
 * per byte, so that the figures show the proxy's cost and not the backend's.
 *
 * - greeting `* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN] …` (capabilities in the
 *   greeting, so no proxy needs to ask), no untagged line before any tagged answer (nginx 1.22
 *   fails a login when one comes before the LOGIN reply);
 * - synchronizing literals `{n}` answered with `+ OK`, `{n+}` accepted (nginx sends its LOGIN
 *   as literals, sievert as quoted strings);
 * - CAPABILITY, NOOP, LOGIN and AUTHENTICATE (any credentials: OK), LOGOUT (`* BYE`, OK, close);
 * - `tag XSTREAM n`: `* XSTREAM {n}`, n bytes from a preallocated buffer written with
 *   backpressure, then `tag OK XSTREAM done` (what a client fetching a large message sees);
 * - anything else `tag BAD`.
 */
import { createServer, type Server, type Socket } from 'node:net';

const GREETING = Buffer.from(
  '* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN] bench backend ready\r\n',
);
const CONTINUE = Buffer.from('+ OK\r\n');
/** What one XSTREAM write hands to the socket. */
const CHUNK = Buffer.alloc(256 * 1024, 'x');

export function xstreamHeader(bytes: number): string {
  return `* XSTREAM {${bytes}}\r\n`;
}

export function xstreamTrailer(tag: string): string {
  return `\r\n${tag} OK XSTREAM done\r\n`;
}

/** Bytes a client receives for `tag XSTREAM n`. */
export function xstreamLength(tag: string, bytes: number): number {
  return Buffer.byteLength(xstreamHeader(bytes)) + bytes + Buffer.byteLength(xstreamTrailer(tag));
}

export interface FakeBackend {
  readonly port: number;
  /** Connections accepted and commands refused so far (a refused command is a benchmark bug). */
  readonly stats: { connections: number; logins: number; bad: number; streamedBytes: number };
  close(): Promise<void>;
}

class BackendSession {
  private buf: Buffer = Buffer.alloc(0);
  /** The command being assembled across literals. */
  private parts: string[] = [];
  /** Literal bytes still to read into the current command. */
  private literal = 0;
  private streaming = false;

  constructor(
    private readonly socket: Socket,
    private readonly stats: FakeBackend['stats'],
  ) {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.write(GREETING);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.drain();
  }

  private drain(): void {
    while (!this.streaming && this.buf.length > 0) {
      if (this.literal > 0) {
        if (this.buf.length < this.literal) return;
        this.parts.push(this.buf.toString('latin1', 0, this.literal));
        this.buf = this.buf.subarray(this.literal);
        this.literal = 0;
        continue;
      }
      const lf = this.buf.indexOf(10);
      if (lf < 0) {
        if (this.buf.length > 65536) this.socket.destroy();
        return;
      }
      const line = this.buf.toString('latin1', 0, lf > 0 && this.buf[lf - 1] === 13 ? lf - 1 : lf);
      this.buf = this.buf.subarray(lf + 1);
      const lit = /\{(\d+)(\+?)\}$/.exec(line);
      if (lit) {
        this.parts.push(line.slice(0, lit.index));
        this.literal = Number(lit[1]);
        if (lit[2] === '') this.socket.write(CONTINUE);
        if (this.literal === 0) this.parts.push('');
        continue;
      }
      this.parts.push(line);
      const command = this.parts.join('');
      this.parts = [];
      this.command(command);
    }
  }

  private command(line: string): void {
    const sp = line.indexOf(' ');
    const tag = sp > 0 ? line.slice(0, sp) : line;
    const rest = sp > 0 ? line.slice(sp + 1) : '';
    const sp2 = rest.indexOf(' ');
    const verb = (sp2 >= 0 ? rest.slice(0, sp2) : rest).toUpperCase();
    const args = sp2 >= 0 ? rest.slice(sp2 + 1) : '';
    const s = this.socket;
    switch (verb) {
      case 'CAPABILITY':
        s.write(`* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN\r\n${tag} OK done\r\n`);
        return;
      case 'NOOP':
        s.write(`${tag} OK done\r\n`);
        return;
      case 'LOGIN':
      case 'AUTHENTICATE':
        this.stats.logins++;
        s.write(`${tag} OK Logged in\r\n`);
        return;
      case 'LOGOUT':
        s.end(`* BYE Logging out\r\n${tag} OK Logout completed\r\n`);
        return;
      case 'XSTREAM': {
        const n = Number(args);
        if (!Number.isSafeInteger(n) || n < 0) break;
        this.stream(tag, n);
        return;
      }
    }
    this.stats.bad++;
    s.write(`${tag} BAD unknown command\r\n`);
  }

  private stream(tag: string, bytes: number): void {
    const s = this.socket;
    this.streaming = true;
    s.write(xstreamHeader(bytes));
    let left = bytes;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, CHUNK.length);
        left -= n;
        this.stats.streamedBytes += n;
        if (!s.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
          s.once('drain', pump);
          return;
        }
      }
      s.write(xstreamTrailer(tag));
      this.streaming = false;
      this.drain();
    };
    pump();
  }
}

export async function startBackend(host = '127.0.0.1'): Promise<FakeBackend> {
  const stats = { connections: 0, logins: 0, bad: 0, streamedBytes: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    new BackendSession(socket, stats);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host, backlog: 4096 }, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('backend has no port');
  return {
    port: address.port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
