/**
 * The LMTP server (RFC 2033): the protocol only. Recipients are accepted or refused, and
 * messages delivered, by the caller's LmtpHandler (src/deliver).
 */
import { drainSessions, listen, type InboundConnection } from '../net/index.js';
import { lmtpSettings, type LmtpHandler, type LmtpOptions, type LmtpServer } from './options.js';
import { LmtpSession } from './session.js';

export {
  LMTP_DEFAULTS,
  type LmtpEnvelope,
  type LmtpHandler,
  type LmtpLogger,
  type LmtpOptions,
  type LmtpRecipient,
  type LmtpReply,
  type LmtpServer,
} from './options.js';

/** TLS handshake after STARTTLS. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Starts listening; resolves once every address is bound. */
export async function startLmtp<R>(options: LmtpOptions, handler: LmtpHandler<R>): Promise<LmtpServer> {
  const s = lmtpSettings(options);
  const log = s.logger;
  const sessions = new Map<LmtpSession<R>, Promise<void>>();
  /** Open connections, also those lingering after their session ended (cut at close). */
  const connections = new Set<InboundConnection>();
  let closing = false;
  const listener = await listen({
    bind: s.listen,
    tls: s.tls ? 'starttls' : 'plain',
    tlsOptions: s.tls,
    proxyProtocol: 'off',
    proxyTrusted: [],
    proxyWaitMs: 0,
    // Connections past maxConnections are greeted with 421 (below), which the listener cannot
    // do; it only drops the ones past this, a flood's.
    maxConnections: 2 * s.maxConnections + 16,
    // LMTP clients are a few MTAs, each from one address: no per-address cap.
    maxConnectionsPerAddress: Number.POSITIVE_INFINITY,
    maxLine: s.maxLine,
    handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
    onConnection: (conn) => {
      if (closing) {
        conn.close();
        return;
      }
      connections.add(conn);
      conn.socket.once('close', () => connections.delete(conn));
      const session = new LmtpSession(s, handler, conn);
      if (sessions.size >= s.maxConnections) {
        log.warn(
          { event: 'connection-rejected', remote: conn.remoteAddress, reason: 'connection limit reached' },
          'connection refused',
        );
        session.refuse('Too many connections, try again later');
        return;
      }
      sessions.set(
        session,
        session.run().finally(() => sessions.delete(session)),
      );
    },
    onReject: (reason, remote) =>
      log.warn({ event: 'connection-rejected', remote, reason }, 'connection refused'),
  });
  const addresses = listener.addresses.map((a) =>
    a.path !== undefined
      ? `unix:${a.path}`
      : a.host.includes(':')
        ? `[${a.host}]:${a.port}`
        : `${a.host}:${a.port}`,
  );
  log.info({ event: 'listening', addresses, tls: s.tls !== undefined }, 'LMTP listening');

  return {
    addresses,
    get sessions() {
      return sessions.size;
    },
    async close(deadlineMs = 10_000) {
      closing = true;
      // net.Server.close() waits for every connection: start it, end the sessions, then await it.
      const stopped = listener.close();
      await drainSessions(sessions, deadlineMs);
      for (const c of connections) c.close();
      await stopped;
      log.info({ event: 'stopped' }, 'LMTP stopped');
    },
  };
}
