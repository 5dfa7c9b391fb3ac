import type { TlsOptions } from 'node:tls';
import type { Bindings, Logger } from 'pino';
import { serverLogger } from '../log.js';
import {
  drainSessions,
  listen,
  type Drainable,
  type InboundConnection,
  type Listener,
  serverTlsOptions,
} from '../net/index.js';
import { startAdmin, type AdminServer } from './admin.js';
import {
  checkMappingDestinations,
  normalizeIdentifier,
  type ListenerConfig,
  type Protocol,
  type ProxyConfig,
} from './config.js';
import { runImapSession } from './imap.js';
import { runManageSieveSession } from './managesieve.js';
import { runPop3Session } from './pop3.js';
import { runSubmissionSession } from './submission.js';
import { CachedMapping, FileMapping, HttpMapping, SqlMapping, type MappingSource } from './mapping.js';
import { Metrics, type Series } from './metrics.js';
import { Router } from './router.js';
import { ProxyContext, type ActiveSession } from './session.js';

type SessionRunner = (
  ctx: ProxyContext,
  l: ListenerConfig,
  conn: InboundConnection,
  log: Logger,
) => Promise<void>;

const runners: Record<Protocol, SessionRunner> = {
  imap: runImapSession,
  managesieve: runManageSieveSession,
  pop3: runPop3Session,
  submission: runSubmissionSession,
};

const noop = (): void => {};
const kBindings = Symbol('session bindings');
const kChild = Symbol('session logger');

/** A session's logger while `info` is off: bindings kept, the pino child made on first use. */
interface QuietSessionLogger {
  [kBindings]: Bindings;
  [kChild]?: Logger;
}

/** One prototype per parent logger, shared by its quiet session loggers. */
const quietPrototypes = new WeakMap<Logger, object>();

function quietPrototype(parent: Logger): object {
  let proto = quietPrototypes.get(parent);
  if (proto) return proto;
  const child = (self: QuietSessionLogger): Logger => (self[kChild] ??= parent.child(self[kBindings]));
  const forward = (level: 'warn' | 'error' | 'fatal') => ({
    value(this: QuietSessionLogger, ...args: unknown[]): void {
      const logger = child(this);
      Reflect.apply(logger[level], logger, args);
    },
  });
  // Levels below warn are off whenever a quiet logger is made (pino makes them no-ops too).
  proto = Object.create(parent, {
    trace: { value: noop },
    debug: { value: noop },
    info: { value: noop },
    warn: forward('warn'),
    error: forward('error'),
    fatal: forward('fatal'),
    child: {
      value(this: QuietSessionLogger, bindings: Bindings): Logger {
        return child(this).child(bindings);
      },
    },
  }) as object;
  quietPrototypes.set(parent, proto);
  return proto;
}

/**
 * A session's child logger. A session logs at `info` (connect, login, end) and rarely at
 * `warn`; when `info` is off, the pino child (its bindings serialized up front) is made on first
 * use only, and the info calls are plain no-ops: making a child per connection was about 5 % of
 * a login's CPU, and a Proxy in its place cost a trap per call and kept every argument object.
 */
function sessionLogger(parent: Logger, bindings: Bindings): Logger {
  if (parent.isLevelEnabled('info')) return parent.child(bindings);
  const quiet = Object.create(quietPrototype(parent)) as QuietSessionLogger;
  quiet[kBindings] = bindings;
  return quiet as unknown as Logger;
}

export interface RunningProxy {
  /** Bound addresses per listener id (port 0 in the configuration resolves here). */
  readonly listeners: Record<string, { host: string; port: number }[]>;
  readonly context: ProxyContext;
  readonly mapping: CachedMapping | undefined;
  /** The admin API's port, when `[admin]` is configured. */
  readonly adminPort: number | undefined;
  /** Applies a new validated configuration; returns why it was refused (listener or mapping changes). */
  reload(next: ProxyConfig): string | undefined;
  /** Stops accepting, lets sessions finish up to `deadlineMs`, then closes what is left. */
  close(deadlineMs?: number): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** The file the configuration came from; enables the admin API's reload. */
  configFile?: string;
}

export async function openMapping(config: ProxyConfig, log: Logger): Promise<CachedMapping | undefined> {
  const m = config.mapping;
  let source: MappingSource;
  const normalize = (s: string): string => normalizeIdentifier(m, s);
  switch (m.source) {
    case 'none':
      return undefined;
    case 'file':
      source = new FileMapping(
        m.file!.path,
        normalize,
        m.file!.reload_interval,
        (entries) => checkMappingDestinations(entries, config, 'mapping.file.path'),
        (err, count) =>
          err
            ? log.error({ event: 'mapping-reload', err: err.message }, 'mapping file not reloaded')
            : log.info({ event: 'mapping-reload', entries: count }),
      );
      break;
    case 'sql':
      source = await SqlMapping.open(m.sql!, m.timeout);
      break;
    case 'http':
      source = new HttpMapping(m.http!.url, m.http!.bearer_token, m.timeout);
      break;
  }
  return new CachedMapping(source, m.cache_ttl, m.negative_cache_ttl, m.cache_size);
}

export async function startProxy(config: ProxyConfig, options: StartOptions = {}): Promise<RunningProxy> {
  const log = options.logger ?? serverLogger(config.logLevel, 'sievert-proxy');
  const mapping = await openMapping(config, log);
  const metrics = new Metrics();
  const ctx = new ProxyContext(config, new Router(config, mapping), log, metrics);
  const opened: Listener[] = [];
  const byId = new Map<string, Listener>();
  const bound: Record<string, { host: string; port: number }[]> = {};
  /** Each live session's run, for close(). */
  const runs = new Map<Drainable, Promise<void>>();

  const onConnection = (started: ListenerConfig) => {
    const sessionsTotal = metrics.series('sievert_proxy_sessions_total', {
      protocol: started.protocol,
      listener: started.id,
    });
    return (conn: InboundConnection) => accepted(started, sessionsTotal, conn);
  };
  const accepted = (started: ListenerConfig, sessionsTotal: Series, conn: InboundConnection): void => {
    // A reload may have changed timeouts and attempt limits: use the current settings.
    const l = ctx.config.listeners.find((x) => x.id === started.id) ?? started;
    const slog = sessionLogger(log, { session: conn.id, protocol: l.protocol, listener: l.id });
    const runner = runners[l.protocol];
    if (ctx.draining) {
      conn.close();
      return;
    }
    const active: ActiveSession = {
      id: conn.id,
      protocol: l.protocol,
      bridged: false,
      close: () => conn.close(),
    };
    ctx.sessions.set(conn.id, active);
    metrics.activeSessions++;
    sessionsTotal.value++;
    slog.info({
      event: 'connect',
      remote: conn.remoteAddress,
      remotePort: conn.remotePort,
      tls: conn.secure,
    });
    // On close, a session still logging in is cut at once; a bridged one gets until the deadline.
    const drainable: Drainable = {
      shutdown: () => {
        if (!active.bridged) conn.close();
      },
      destroy: () => conn.close(),
    };
    const run = runner(ctx, l, conn, slog)
      .catch((e: unknown) => slog.error({ event: 'session-error', err: (e as Error).message }))
      .finally(() => {
        conn.close();
        ctx.sessions.delete(conn.id);
        runs.delete(drainable);
        metrics.activeSessions--;
      });
    runs.set(drainable, run);
  };

  try {
    for (const l of config.listeners) {
      const listener = await listen({
        bind: l.bind,
        tls: l.tls,
        tlsOptions: l.certificates.length > 0 ? serverTlsOptions(l.certificates) : undefined,
        proxyProtocol: l.proxyProtocol,
        proxyTrusted: l.proxyTrusted,
        proxyWaitMs: l.proxyWaitMs,
        maxConnections: l.maxConnections,
        maxConnectionsPerAddress: l.maxConnectionsPerIp,
        maxLine: config.limits.maxLine,
        handshakeTimeoutMs: config.limits.tlsHandshakeTimeoutMs,
        onConnection: onConnection(l),
        onReject: (reason, remote) => {
          metrics.inc('sievert_proxy_connections_rejected_total', { listener: l.id });
          log.warn({ event: 'reject', listener: l.id, remote, reason });
        },
      });
      opened.push(listener);
      byId.set(l.id, listener);
      bound[l.id] = listener.addresses;
      log.info({ event: 'listen', listener: l.id, protocol: l.protocol, addresses: listener.addresses });
    }
  } catch (e) {
    await Promise.all(opened.map((l) => l.close()));
    await mapping?.close();
    throw e;
  }

  /**
   * Reload: routing, destinations, capabilities, limits and the listeners' certificates (as
   * read again from their files, for connections accepted from now on) change; listener
   * addresses, TLS modes and the mapping source need a restart.
   */
  const applyConfig = (next: ProxyConfig): string | undefined => {
    const shape = (c: ProxyConfig): string =>
      JSON.stringify([c.listeners.map((l) => [l.id, l.protocol, l.bind, l.tls, l.proxyProtocol]), c.mapping]);
    if (shape(next) !== shape(ctx.config)) return 'listener or mapping changes need a restart';
    // Every certificate is checked before anything changes: a bad key refuses the whole reload.
    const certificates: [Listener, TlsOptions][] = [];
    for (const l of next.listeners) {
      const listener = byId.get(l.id);
      if (!listener || l.certificates.length === 0) continue;
      try {
        certificates.push([listener, serverTlsOptions(l.certificates)]);
      } catch (e) {
        return `listener.${l.id}: certificate not usable: ${(e as Error).message}`;
      }
    }
    for (const [listener, options] of certificates) listener.setTlsOptions(options);
    ctx.config = next;
    ctx.router.config = next;
    ctx.resetBreakers();
    return undefined;
  };
  let admin: AdminServer | undefined;
  if (config.admin) {
    try {
      admin = await startAdmin({
        ...config.admin,
        ctx,
        mapping,
        configFile: options.configFile,
        applyConfig,
        log,
      });
    } catch (e) {
      await Promise.all(opened.map((l) => l.close()));
      await mapping?.close();
      throw e;
    }
  }

  return {
    listeners: bound,
    context: ctx,
    mapping,
    adminPort: admin?.port,
    reload: applyConfig,
    async close(deadlineMs = config.limits.shutdownTimeoutMs) {
      ctx.draining = true;
      // Stop accepting now; the servers report closed once their last connection ends.
      const closed = Promise.all(opened.map((l) => l.close()));
      await drainSessions(runs, deadlineMs);
      await closed;
      await admin?.close();
      await mapping?.close();
    },
  };
}
