import { randomBytes } from 'node:crypto';
import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type ListenOptions, type Server, type Socket } from 'node:net';
import type { TLSSocket, TlsOptions } from 'node:tls';
import { inNetworks, plainAddress, type Cidr } from './cidr.js';
import { LineReader } from './line-reader.js';
import { readProxyHeader } from './proxy-protocol.js';
import { warmSocketConstructor } from './socket-options.js';
import { acceptTls, type TlsMode } from './tls.js';

export interface ListenerOptions {
  /**
   * `host:port` or `[v6]:port` (port 0 picks a free port), or `unix:/path` for a Unix socket:
   * mode 0660 (the owner and its group, such as the MTA's); a stale socket file left by a crash
   * is replaced, the file is removed on close.
   */
  bind: readonly string[];
  tls: TlsMode;
  /** Required for `starttls` and `implicit`. */
  tlsOptions?: TlsOptions;
  proxyProtocol: 'off' | 'optional' | 'required';
  proxyTrusted: readonly Cidr[];
  /** How long an optional PROXY header is awaited from a trusted peer. */
  proxyWaitMs: number;
  maxConnections: number;
  /** Concurrent connections from one client address (after PROXY-header rewriting, it is the peer's). */
  maxConnectionsPerAddress: number;
  maxLine: number;
  handshakeTimeoutMs: number;
  onConnection(conn: InboundConnection): void;
  /** A connection refused before a session began (cap reached, bad PROXY header, TLS failure). */
  onReject?(reason: string, remoteAddress: string): void;
}

/** Random bytes for session ids, drawn a few hundred ids at a time (one system call, not one per id). */
let idPool = Buffer.alloc(0);
let idOffset = 0;

/** Short random ids that tie our log lines to the backend's (sent as x-session-id / SESSION=). */
export function newSessionId(): string {
  if (idOffset + 9 > idPool.length) {
    idPool = randomBytes(9 * 512);
    idOffset = 0;
  }
  idOffset += 9;
  return idPool.toString('base64url', idOffset - 9, idOffset);
}

/** An accepted client connection, after any PROXY header and implicit TLS handshake. */
export class InboundConnection {
  reader: LineReader;
  readonly id = newSessionId();
  /** The accepted socket (before any STARTTLS), for the local address when it is asked for. */
  private readonly accepted: Socket | TLSSocket;

  constructor(
    public socket: Socket | TLSSocket,
    initial: Buffer,
    readonly remoteAddress: string,
    readonly remotePort: number,
    /** From a PROXY header; otherwise looked up on first use (one system call most sessions never need). */
    private local: { address: string; port: number } | undefined,
    public secure: boolean,
    private readonly tlsOptions: TlsOptions | undefined,
    private readonly maxLine: number,
    private readonly handshakeTimeoutMs: number,
  ) {
    this.accepted = socket;
    this.reader = new LineReader(socket, maxLine, { initial });
  }

  private get localEnd(): { address: string; port: number } {
    return (this.local ??= {
      address: plainAddress(this.accepted.localAddress ?? ''),
      port: this.accepted.localPort ?? 0,
    });
  }

  get localAddress(): string {
    return this.localEnd.address;
  }

  get localPort(): number {
    return this.localEnd.port;
  }

  get canStartTls(): boolean {
    return !this.secure && this.tlsOptions !== undefined;
  }

  /**
   * Upgrades after the protocol's "go ahead" reply. Bytes the client sent after the STARTTLS
   * command are thrown away unread (CVE-2011-0411): they were not protected by TLS.
   */
  async startTls(): Promise<void> {
    if (!this.tlsOptions) throw new Error('no TLS certificate on this listener');
    this.reader.detach();
    const tlsSocket = await acceptTls(this.socket, this.tlsOptions, this.handshakeTimeoutMs);
    this.socket = tlsSocket;
    this.secure = true;
    this.reader = new LineReader(tlsSocket, this.maxLine);
  }

  close(): void {
    this.socket.destroy();
  }

  /**
   * Ends the connection after what was written: half-close, read and drop whatever the client
   * still sends (closing with unread input would reset the connection and could lose the last
   * reply), and cut it after `lingerMs`.
   */
  closeAfterWrites(lingerMs: number): void {
    const s = this.socket;
    this.reader.detach();
    s.on('data', () => {});
    s.resume();
    s.end();
    setTimeout(() => s.destroy(), lingerMs).unref();
  }
}

export function parseBind(bind: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(bind);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** The path of a `unix:/path` bind address; undefined for `host:port`. */
export function unixSocketPath(bind: string): string | undefined {
  return bind.startsWith('unix:') && bind.length > 5 ? bind.slice(5) : undefined;
}

/**
 * Makes way for a Unix socket at `path`: a socket file nobody accepts on (left by a crash) is
 * removed; a live socket or any other kind of file is an error, never deleted.
 */
async function replaceStaleSocket(path: string): Promise<void> {
  try {
    if (!(await lstat(path)).isSocket()) throw new Error(`${path} exists and is not a socket`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const live = await new Promise<boolean>((resolve) => {
    const c = connect(path, () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (live) throw new Error(`another process accepts connections on unix:${path}`);
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

export interface Listener {
  /** Bound addresses; a Unix socket has `path` set (and host '' and port 0). */
  readonly addresses: { host: string; port: number; path?: string }[];
  /**
   * Replaces the TLS options (new certificates) for connections accepted from now on; sessions
   * already accepted keep what they had, for their STARTTLS too.
   */
  setTlsOptions(options: TlsOptions): void;
  /** Stops accepting; existing connections are the caller's. */
  close(): Promise<void>;
}

export async function listen(o: ListenerOptions): Promise<Listener> {
  warmSocketConstructor();
  if (o.tls !== 'plain' && !o.tlsOptions) throw new Error(`a ${o.tls} listener needs a certificate`);
  let connections = 0;
  let tlsOptions = o.tlsOptions;
  const perAddress = new Map<string, number>();
  const servers: Server[] = [];
  const addresses: { host: string; port: number; path?: string }[] = [];

  const accept = async (socket: Socket): Promise<void> => {
    socket.on('error', () => {});
    const peer = plainAddress(socket.remoteAddress ?? '');
    const fromPeer = perAddress.get(peer) ?? 0;
    if (connections >= o.maxConnections || fromPeer >= o.maxConnectionsPerAddress) {
      o.onReject?.(
        connections >= o.maxConnections ? 'connection limit reached' : 'per-address connection limit reached',
        peer,
      );
      socket.destroy();
      return;
    }
    connections++;
    perAddress.set(peer, fromPeer + 1);
    socket.once('close', () => {
      connections--;
      const n = (perAddress.get(peer) ?? 1) - 1;
      if (n === 0) perAddress.delete(peer);
      else perAddress.set(peer, n);
    });
    let remoteAddress = peer;
    let remotePort = socket.remotePort ?? 0;
    let local: { address: string; port: number } | undefined;
    let rest: Buffer = Buffer.alloc(0);
    try {
      const trusted = inNetworks(o.proxyTrusted, peer);
      if (o.proxyProtocol === 'required' && !trusted) throw new Error('PROXY header from an untrusted peer');
      if (o.proxyProtocol !== 'off' && trusted) {
        const r = await readProxyHeader(socket, {
          required: o.proxyProtocol === 'required',
          waitMs: o.proxyProtocol === 'required' ? o.handshakeTimeoutMs : o.proxyWaitMs,
        });
        rest = r.rest;
        if (r.header?.proxied) {
          remoteAddress = plainAddress(r.header.sourceAddress);
          remotePort = r.header.sourcePort;
          local = { address: plainAddress(r.header.destinationAddress), port: r.header.destinationPort };
        }
      }
      let s: Socket | TLSSocket = socket;
      if (o.tls === 'implicit') {
        // The ClientHello may have arrived with the PROXY header: give it back to the socket,
        // whose buffered bytes TLS reads before the handle's.
        if (rest.length > 0) socket.unshift(rest);
        rest = Buffer.alloc(0);
        s = await acceptTls(socket, tlsOptions!, o.handshakeTimeoutMs);
      }
      o.onConnection(
        new InboundConnection(
          s,
          rest,
          remoteAddress,
          remotePort,
          local,
          o.tls === 'implicit',
          o.tls === 'plain' ? undefined : tlsOptions,
          o.maxLine,
          o.handshakeTimeoutMs,
        ),
      );
    } catch (e) {
      o.onReject?.((e as Error).message, peer);
      socket.destroy();
    }
  };

  /** A server accepting on `at`, kept in `servers` (closed again if a later bind fails). */
  const listening = async (at: ListenOptions): Promise<Server> => {
    const server = createServer({ pauseOnConnect: false, noDelay: true }, (s) => void accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, () => {
        server.off('error', reject);
        resolve();
      });
    });
    servers.push(server);
    return server;
  };

  try {
    for (const b of o.bind) {
      const path = unixSocketPath(b);
      if (path !== undefined) {
        await replaceStaleSocket(path);
        await listening({ path });
        await chmod(path, 0o660);
        addresses.push({ host: '', port: 0, path });
        continue;
      }
      const addr = parseBind(b);
      if (!addr)
        throw new Error(`bad bind address ${JSON.stringify(b)}; expected host:port, [v6]:port or unix:/path`);
      const a = (await listening(addr)).address();
      if (a && typeof a === 'object') addresses.push({ host: a.address, port: a.port });
    }
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }

  return {
    addresses,
    setTlsOptions(options: TlsOptions) {
      tlsOptions = options;
    },
    close: () =>
      Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(
        () => undefined,
      ),
  };
}
