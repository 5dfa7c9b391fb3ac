import type { Logger } from 'pino';
import {
  FailurePenalties,
  sleep,
  type InboundConnection,
  type Credentials,
  writeLine,
} from '../net/index.js';
import { BackendUnavailableError, openBackend, type BackendConnection, type ClientInfo } from './backend.js';
import type { DestinationConfig, Protocol, ProxyConfig } from './config.js';
import { CircuitBreaker } from './guard.js';
import type { Metrics } from './metrics.js';
import { routingIdentifier, type Router } from './router.js';

/** A live client session, as the shutdown drain and the admin API see it. */
export interface ActiveSession {
  id: string;
  protocol: Protocol;
  identifier?: string;
  bridged: boolean;
  close(): void;
}

/** What every protocol session shares: configuration, routing, counters, logging. */
export class ProxyContext {
  /** Live sessions by session id. */
  readonly sessions = new Map<string, ActiveSession>();
  readonly penalties: FailurePenalties;
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** Identifiers whose logins are held back (a user being moved), with when the hold ends. */
  readonly loginHolds = new Map<string, number>();
  draining = false;

  constructor(
    public config: ProxyConfig,
    public router: Router,
    readonly log: Logger,
    readonly metrics: Metrics,
  ) {
    const l = config.limits;
    this.penalties = new FailurePenalties(
      l.authFailureDelayMs,
      l.authFailureMaxDelayMs,
      l.authFailureWindowMs,
    );
  }

  resetBreakers(): void {
    this.breakers.clear();
  }

  breaker(d: DestinationConfig): CircuitBreaker {
    let b = this.breakers.get(d.id);
    if (!b) this.breakers.set(d.id, (b = new CircuitBreaker(d.breakerFailures, d.breakerCooldownMs)));
    return b;
  }
}

/** What a protocol's replay reports back. */
export type ReplayResult<T> = { ok: true; value: T } | { ok: false; response: string };

export type LoginOutcome<T> =
  /** Logged in at the backend: bridge. */
  | { kind: 'ok'; backend: BackendConnection; value: T; identifier: string }
  /** The backend refused the credentials: relay its answer, stay in our pre-login dialogue. */
  | { kind: 'rejected'; response: string }
  /** We refused before reaching a backend (unsafe identifier, no route). */
  | { kind: 'refused'; message: string }
  /** Temporary failure: backend down, unreachable, slow, or the mapping source is down. */
  | { kind: 'unavailable'; message: string };

/**
 * Routes one set of credentials and replays them at the chosen backend. Each attempt is
 * routed afresh. Failed attempts are delayed by the growing per-address and per-identifier
 * penalty before the caller answers the client.
 */
export async function proxyLogin<T>(
  ctx: ProxyContext,
  conn: InboundConnection,
  protocol: Protocol,
  credentials: Credentials,
  log: Logger,
  replay: (backend: BackendConnection, client: ClientInfo) => Promise<ReplayResult<T>>,
): Promise<LoginOutcome<T>> {
  const started = performance.now();
  const ident = routingIdentifier(credentials, ctx.config.routing.masterUserSeparators);
  // Not async: a login that succeeds returns its outcome without a promise of its own.
  const finish = <O extends LoginOutcome<T>>(o: O, destination = '-'): O | Promise<O> => {
    const outcome = o.kind;
    ctx.metrics.logins.get(protocol, destination, outcome).value++;
    ctx.metrics.observeLogin(protocol, (performance.now() - started) / 1000);
    if (outcome === 'rejected' || outcome === 'refused') {
      const ipKey = `ip:${conn.remoteAddress}`;
      const keys = ident.ok ? [ipKey, `id:${ctx.router.normalize(ident.identifier)}`] : [ipKey];
      return sleep(ctx.penalties.fail(keys)).then(() => o);
    }
    return o;
  };
  if (!ident.ok) {
    log.info({ event: 'login', outcome: 'refused', reason: ident.reason });
    return finish({ kind: 'refused', message: ident.reason });
  }
  const identifier = ident.identifier;
  const hold = ctx.loginHolds.get(ctx.router.normalize(identifier));
  if (hold !== undefined && hold > Date.now()) {
    log.info({
      event: 'login',
      outcome: 'unavailable',
      user: identifier,
      reason: 'logins held for this user',
    });
    return finish({ kind: 'unavailable', message: 'account is being moved, try again later' });
  }
  const routed = ctx.router.route(identifier, protocol);
  const route = routed instanceof Promise ? await routed : routed;
  if (!route.ok) {
    log.warn({ event: 'login', outcome: route.reason, user: identifier, reason: route.message });
    if (route.reason === 'mapping-down')
      return finish({ kind: 'unavailable', message: 'routing lookup failed' });
    return finish({ kind: 'refused', message: 'no server for this account' });
  }
  const dest = route.destination;
  const breaker = ctx.breaker(dest);
  if (breaker.isOpen) {
    log.warn({
      event: 'login',
      outcome: 'unavailable',
      user: identifier,
      destination: dest.id,
      reason: 'circuit open',
    });
    return finish({ kind: 'unavailable', message: 'backend temporarily unavailable' }, dest.id);
  }
  const client: ClientInfo = {
    sessionId: conn.id,
    user: Buffer.from(identifier, 'utf8').toString('latin1'),
    remoteAddress: conn.remoteAddress,
    remotePort: conn.remotePort,
    // Only forwarding needs our own address: look it up then.
    get localAddress() {
      return conn.localAddress;
    },
    get localPort() {
      return conn.localPort;
    },
  };
  let backend: BackendConnection | undefined;
  try {
    backend = await openBackend(dest, protocol, client, ctx.config.limits.maxLine);
    backend.armDeadline(dest.timeoutMs);
    const r = await replay(backend, client);
    backend.disarmDeadline();
    breaker.success();
    if (r.ok) {
      ctx.penalties.succeed(`id:${ctx.router.normalize(identifier)}`);
      log.info({
        event: 'login',
        outcome: 'ok',
        user: identifier,
        destination: dest.id,
        route: route.source,
      });
      const active = ctx.sessions.get(conn.id);
      if (active) active.identifier = ctx.router.normalize(identifier);
      return finish({ kind: 'ok', backend, value: r.value, identifier }, dest.id);
    }
    backend.end();
    log.info({ event: 'login', outcome: 'rejected', user: identifier, destination: dest.id });
    return finish({ kind: 'rejected', response: r.response }, dest.id);
  } catch (e) {
    backend?.close();
    if (!(e instanceof BackendUnavailableError)) throw e;
    if (e.countsForBreaker) breaker.failure();
    log.warn({
      event: 'login',
      outcome: 'unavailable',
      user: identifier,
      destination: dest.id,
      reason: e.message,
    });
    return finish({ kind: 'unavailable', message: 'backend unavailable' }, dest.id);
  }
}

/**
 * XCLIENT attributes (Postfix XCLIENT_README names); the caller filters them to what the
 * backend accepts.
 */
export function xclientAttributes(client: ClientInfo, ttl: number): Record<string, string> {
  return {
    ADDR: client.remoteAddress,
    PORT: String(client.remotePort),
    SESSION: client.sessionId,
    TTL: String(ttl),
    DESTADDR: client.localAddress,
    DESTPORT: String(client.localPort),
  };
}

/** How long the client gets to take what the backend sent before it closed. */
const FLUSH_AFTER_BACKEND_CLOSE_MS = 10_000;

/**
 * Refuses to send credentials over a plaintext backend leg unless the destination allows it
 * (the spec's "Backend leg"); called by each protocol after its STARTTLS step.
 */
export function requireSecureLeg(be: BackendConnection): void {
  if (!be.secure && !be.destination.allowPlaintextAuth) {
    throw new BackendUnavailableError('refusing to send credentials over a plaintext backend leg');
  }
}

/**
 * After a successful backend login: the client gets `lines` (the backend's answer, as the
 * protocol words it), then the legs are joined. Nothing is written to a client already gone.
 */
export async function bridgeLoggedIn(
  ctx: ProxyContext,
  conn: InboundConnection,
  backend: BackendConnection,
  protocol: Protocol,
  lines: readonly string[],
  log: Logger,
): Promise<void> {
  if (!conn.socket.destroyed) for (const line of lines) writeLine(conn.socket, line);
  await bridge(ctx, conn, backend, protocol, backend.destination.id, log);
}

/**
 * Joins the two legs: what each side sent past the login goes first, then bytes flow both
 * ways until either side closes. Client to backend is a pipe of sorts; backend to client, on a plain
 * backend leg, is written straight from the socket's reused read buffers (no allocation per
 * read; reading pauses while a write is pending, which is the backpressure), else a pipe.
 * When the client goes, the backend leg is cut; when the backend goes, the client first
 * receives what is still queued for it.
 */
export function bridge(
  ctx: ProxyContext,
  conn: InboundConnection,
  backend: BackendConnection,
  protocol: Protocol,
  destination: string,
  log: Logger,
): Promise<void> {
  const client = conn.socket;
  const server = backend.socket;
  if (client.destroyed || server.destroyed) {
    // A leg already gone (the client timed out or hung up while its login was in flight): its
    // close event has passed, so the wait below would never end and the other leg would stay
    // open with nobody at the far end.
    client.destroy();
    backend.close();
    return Promise.resolve();
  }
  // Both legs keep flowing: their new data listeners are added below, before any read.
  const clientRest = conn.reader.detach(true);
  const serverRest = backend.reader.detach(true);
  const clientIn0 = client.bytesRead;
  const clientOut0 = client.bytesWritten;
  const active = ctx.sessions.get(conn.id);
  if (active) active.bridged = true;
  ctx.metrics.bridgedSessions++;
  return new Promise((resolve) => {
    let closed = 0;
    const finish = (): void => {
      ctx.metrics.bridgedSessions--;
      const up = client.bytesRead - clientIn0 + clientRest.length;
      const down = client.bytesWritten - clientOut0;
      ctx.metrics.bytes.get(protocol, destination, 'client_to_backend').value += up;
      ctx.metrics.bytes.get(protocol, destination, 'backend_to_client').value += down;
      log.info({ event: 'session-end', bytesUp: up, bytesDown: down });
      resolve();
    };
    let flushTimer: NodeJS.Timeout | undefined;
    client.once('close', () => {
      clearTimeout(flushTimer);
      server.destroy();
      if (++closed === 2) finish();
    });
    server.once('close', () => {
      if (!client.destroyed) {
        if (!client.writableEnded) client.end();
        flushTimer = setTimeout(() => client.destroy(), FLUSH_AFTER_BACKEND_CLOSE_MS);
        flushTimer.unref();
      }
      if (++closed === 2) finish();
    });
    const fail = (): void => {
      client.destroy();
      server.destroy();
    };
    client.on('error', fail);
    server.on('error', fail);
    if (serverRest.length > 0) client.write(serverRest);
    if (clientRest.length > 0) server.write(clientRest);
    // Client to backend (commands, uploads): what `pipe` does, with fewer listeners.
    client.on('data', (chunk: Buffer) => {
      if (!server.destroyed && !server.write(chunk)) client.pause();
    });
    server.on('drain', () => client.resume());
    client.resume();
    const reads = backend.reads;
    if (!reads) {
      server.pipe(client);
      return;
    }
    // A write that did not complete at once holds the chunk (maybe the read buffer itself):
    // reading waits until everything queued for the client is written.
    let waiting = false;
    const written = (): void => {
      if (waiting && client.writableLength === 0) {
        waiting = false;
        reads.release();
      }
    };
    const queued = reads.direct((chunk) => {
      client.write(chunk, written);
      if (client.writableLength === 0) return true;
      waiting = true;
      return false;
    });
    for (const chunk of queued) client.write(chunk);
    // The backend is done: the client gets what is queued, and the backend leg is closed at
    // once (it is half-open: no shutdown of our side, which nobody would read).
    server.once('end', () => {
      client.end();
      server.destroy();
    });
    // Anything still queued for the client is written before the first chunk read from here.
    reads.start();
  });
}
