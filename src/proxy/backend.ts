import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  LineReader,
  writeLine,
  buildProxyV2,
  connectTcp,
  connectTls,
  encodePlain,
  ReadBuffers,
  type Credentials,
} from '../net/index.js';
import type { DestinationConfig, Protocol } from './config.js';

/** Who the client is, as forwarded to backends (IMAP ID, XCLIENT, PROXY v2). */
export interface ClientInfo {
  sessionId: string;
  /** The routed user (routing identifier before normalization) as a binary string, for master-user logins. */
  user: string;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

/** A master-user login for the routed user, when the destination has master credentials. */
export interface MasterLogin {
  user: string;
  password: string;
  /** The user to act for: the PLAIN authorization identity. */
  forUser: string;
}

export function masterLogin(destination: DestinationConfig, client: ClientInfo): MasterLogin | undefined {
  return destination.master && { ...destination.master, forUser: client.user };
}

/** Status words and reply codes a backend line may start with (after an IMAP tag or `*`). */
const lineStatus =
  /^(?:\*|[A-Za-z0-9]{1,16})? ?(OK|NO|BAD|BYE|PREAUTH)\b|^([+-](?:OK|ERR))\b|^(\d{3})(?=[ -]|$)/i;

/**
 * What a log line may say about a backend line: its status word or reply code and its length,
 * never its text, since a backend may echo what it was sent (the replayed credentials).
 */
export function lineSummary(line: string): string {
  const m = lineStatus.exec(line);
  const status = m ? (m[1] ?? m[2] ?? m[3])!.toUpperCase() : 'unrecognized';
  return `${status}, ${line.length} bytes`;
}

/** Raised for anything that makes the backend unusable (as opposed to a refused login). */
export class BackendUnavailableError extends Error {
  constructor(
    message: string,
    /** False when the cause is this client's request, not the backend's health. */
    readonly countsForBreaker = true,
  ) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

/**
 * The backend is up but cannot take these credentials (mechanism not offered): a temporary
 * failure for this client, not a strike against the destination's circuit breaker.
 */
export function cannotReplay(message: string): BackendUnavailableError {
  return new BackendUnavailableError(message, false);
}

/**
 * The SASL exchange that replays a login: a master-user PLAIN when the destination has master
 * credentials, OAuth tokens as the client sent them, otherwise PLAIN with the client's own
 * authorization identity. Every protocol's backend uses this one choice.
 */
export function saslReplay(
  creds: Credentials,
  master: MasterLogin | undefined,
): { mechanism: string; payload: Buffer } {
  return { mechanism: replayMechanism(creds, master), payload: replayPayload(creds, master) };
}

/** The mechanism `saslReplay` would use, without encoding its payload. */
export function replayMechanism(creds: Credentials, master: MasterLogin | undefined): string {
  if (!master && (creds.mechanism === 'OAUTHBEARER' || creds.mechanism === 'XOAUTH2')) return creds.mechanism;
  return 'PLAIN';
}

/** The payload of `saslReplay`. */
export function replayPayload(creds: Credentials, master: MasterLogin | undefined): Buffer {
  if (master) return encodePlain(master.forUser, master.user, master.password);
  // OAuth tokens go as the client sent them.
  if (replayMechanism(creds, master) !== 'PLAIN') return creds.raw!;
  return encodePlain(creds.authzid, creds.authcid, creds.secret);
}

/**
 * One connection to a backend. Every read goes through the line reader, so untagged lines,
 * several responses per packet and responses split across packets all look the same. A
 * deadline destroys the socket if the backend stops answering, so no read waits forever.
 */
export class BackendConnection {
  reader: LineReader;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    public socket: Socket | TLSSocket,
    public secure: boolean,
    readonly destination: DestinationConfig,
    private readonly maxLine: number,
    /** Set for plain legs opened with reused read buffers: the bridge reads them directly. */
    private readonly plainReads?: ReadBuffers,
  ) {
    this.reader = this.lineReader();
  }

  /**
   * Read errors become BackendUnavailableError, so reads are the reader's promises as they are.
   * On a plain leg read into reused buffers, the reads go straight to the reader (not through
   * the socket's readable side) until the bridge takes them over.
   */
  private lineReader(): LineReader {
    const id = this.destination.id;
    const reads = this.reads;
    const reader = new LineReader(this.socket, this.maxLine, {
      wrapError: (e) => new BackendUnavailableError(`backend ${id}: ${e.message}`),
      fed: reads !== undefined,
    });
    reads?.feedTo(reader);
    return reader;
  }

  /** The reused read buffers of the socket, while it is still the plain one they were made for. */
  get reads(): ReadBuffers | undefined {
    return this.plainReads && !this.secure ? this.plainReads : undefined;
  }

  /** Arms (or re-arms) the deadline for the whole exchange that follows. */
  armDeadline(ms: number): void {
    this.disarmDeadline();
    this.deadline = setTimeout(() => this.socket.destroy(new Error('backend timed out')), ms);
    this.deadline.unref();
  }

  disarmDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  writeLine(line: string): void {
    writeLine(this.socket, line);
  }

  write(data: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  readLine(): Promise<string> {
    return this.reader.readLine();
  }

  readBytes(n: number): Promise<Buffer> {
    return this.reader.readBytes(n);
  }

  /**
   * Upgrades after the backend's STARTTLS go-ahead. Whatever the backend sent after that
   * reply, before the handshake, is dropped unread: it was not protected by TLS.
   */
  async startTls(): Promise<void> {
    this.reader.detach();
    try {
      this.socket = await connectTls(
        { socket: this.socket },
        this.destination.tls,
        this.destination.timeoutMs,
      );
    } catch (e) {
      throw new BackendUnavailableError(
        `backend ${this.destination.id}: TLS failed: ${(e as Error).message}`,
      );
    }
    this.secure = true;
    this.reader = this.lineReader();
  }

  close(): void {
    this.disarmDeadline();
    this.socket.destroy();
  }

  /** Closes after what was written (a LOGOUT / QUIT) is flushed, or after a second at most. */
  end(): void {
    this.disarmDeadline();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

/** Opens the transport to a destination's port for `protocol`: TCP, PROXY v2 header, implicit TLS. */
export async function openBackend(
  destination: DestinationConfig,
  protocol: Protocol,
  client: ClientInfo,
  maxLine: number,
): Promise<BackendConnection> {
  const p = destination.protocols[protocol];
  if (!p) throw new BackendUnavailableError(`destination ${destination.id} has no ${protocol}`);
  let socket: Socket | TLSSocket;
  // A plain leg stays plain: after login the bridge reads it without an allocation per read.
  const reads = p.tls === 'plain' ? new ReadBuffers() : undefined;
  try {
    socket = await connectTcp(destination.host, p.port, destination.connectTimeoutMs, reads);
  } catch (e) {
    throw new BackendUnavailableError((e as Error).message);
  }
  if (destination.forwarding === 'proxy') {
    // The PROXY header precedes TLS on the wire.
    socket.write(
      buildProxyV2({
        sourceAddress: client.remoteAddress,
        sourcePort: client.remotePort,
        destinationAddress: client.localAddress,
        destinationPort: client.localPort,
      }),
    );
  }
  if (p.tls === 'implicit') {
    try {
      socket = await connectTls({ socket }, destination.tls, destination.connectTimeoutMs);
    } catch (e) {
      socket.destroy();
      throw new BackendUnavailableError(`TLS to ${destination.id} failed: ${(e as Error).message}`);
    }
  }
  return new BackendConnection(socket, p.tls === 'implicit', destination, maxLine, reads);
}
