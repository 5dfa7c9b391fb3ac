/**
 * The ManageSieve server (RFC 5804 with its errata): users upload, check, list, activate,
 * fetch, rename and delete their Sieve scripts in a ScriptStore, authenticated by an
 * Authenticator, each script validated by the engine.
 */
import { drainSessions, FailurePenalties, listen } from '../net/index.js';
import {
  DEFAULT_LIMITS,
  silentLogger,
  type ManageSieveLimits,
  type ManageSieveOptions,
  type ManageSieveServer,
} from './options.js';
import { Session, type ServerContext } from './session.js';

export {
  DEFAULT_LIMITS,
  type ManageSieveLimits,
  type ManageSieveLogger,
  type ManageSieveOptions,
  type ManageSieveServer,
} from './options.js';
export { checkScriptBytes, checkScriptName, DEFAULT_MAX_NAME_CHARACTERS, type ScriptCheck } from './names.js';
export { ManageSieveClient, requireOk, type ManageSieveResponse } from './client.js';

/** Starts listening; resolves once every address is bound. */
export async function startManageSieve(o: ManageSieveOptions): Promise<ManageSieveServer> {
  const limits: ManageSieveLimits = { ...DEFAULT_LIMITS, ...o.limits };
  for (const [k, v] of Object.entries(limits))
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw new RangeError(`managesieve limit ${k} must be a non-negative integer, got ${String(v)}`);
  const log = o.logger ?? silentLogger;
  const quota = o.quota;
  const extensions = o.engine.capabilities();
  const notify = o.notifyMethods ?? ['mailto'];
  const ctx: ServerContext = {
    store: o.store,
    authenticator: o.authenticator,
    engine: o.engine,
    quotaFor: async (user, entry) => (typeof quota === 'function' ? quota(user, entry) : quota),
    implementation: o.implementation ?? 'sievert',
    sieveExtensions: extensions.join(' '),
    maxRedirects: o.maxRedirects ?? o.engine.limits.maxRedirects,
    // RFC 5804 §1.7: NOTIFY is sent when the engine has enotify, and is then never empty.
    notifyMethods: extensions.includes('enotify') ? notify.join(' ') : '',
    preLoginCapabilities: new Map(),
    language: o.language,
    limits,
    penalties:
      o.penalties ??
      new FailurePenalties(
        limits.authFailureDelayMs,
        limits.authFailureMaxDelayMs,
        limits.authFailureWindowMs,
      ),
    log,
  };

  const sessions = new Map<Session, Promise<void>>();
  let closing = false;
  const listener = await listen({
    bind: o.listen,
    tls: o.tls,
    tlsOptions: o.tlsOptions,
    proxyProtocol: o.proxyProtocol?.mode ?? 'off',
    proxyTrusted: o.proxyProtocol?.trusted ?? [],
    proxyWaitMs: o.proxyProtocol?.waitMs ?? 3_000,
    maxConnections: limits.maxConnections,
    maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
    maxLine: limits.maxLine,
    handshakeTimeoutMs: limits.handshakeTimeoutMs,
    onConnection: (conn) => {
      if (closing) {
        conn.close();
        return;
      }
      const s = new Session(ctx, conn);
      sessions.set(
        s,
        s.run().finally(() => sessions.delete(s)),
      );
    },
    onReject: (reason, remote) =>
      log.warn({ event: 'connection-rejected', remote, reason }, 'connection refused'),
  });
  log.info({ event: 'listening', addresses: listener.addresses, tls: o.tls }, 'ManageSieve listening');

  return {
    addresses: listener.addresses,
    get sessions() {
      return sessions.size;
    },
    async close(deadlineMs = 10_000) {
      closing = true;
      // net.Server.close() waits for every connection: start it, end the sessions, then await it.
      const stopped = listener.close();
      await drainSessions(sessions, deadlineMs);
      await stopped;
      log.info({ event: 'stopped' }, 'ManageSieve stopped');
    },
  };
}
