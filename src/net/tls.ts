import { createHash } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import type { ReadBuffers } from './read-buffers.js';
import { connectOptions } from './socket-options.js';

export type TlsMode = 'plain' | 'starttls' | 'implicit';

/** A certificate the server offers, optionally only to clients asking for `serverNames` (SNI). */
export interface ServerCertificate {
  cert: string | Buffer;
  key: string | Buffer;
  serverNames?: string[];
}

/**
 * The server-side TLS options of a listener: the first certificate without server names is
 * the default; the others are chosen by SNI (exact name, then `*.domain` wildcard).
 */
export function serverTlsOptions(
  certs: readonly ServerCertificate[],
  /**
   * CA certificates that sign client certificates (SASL EXTERNAL). With them the server asks
   * for a client certificate but accepts connections without one or with one it cannot verify:
   * the session decides (`certificateUser`).
   */
  clientCa?: string | Buffer,
): tls.TlsOptions {
  if (certs.length === 0) throw new Error('a TLS listener needs at least one certificate');
  const byName = new Map<string, tls.SecureContext>();
  let fallback: tls.SecureContext | undefined;
  for (const c of certs) {
    const ctx = tls.createSecureContext({ cert: c.cert, key: c.key, ca: clientCa });
    if (!c.serverNames || c.serverNames.length === 0) fallback ??= ctx;
    for (const n of c.serverNames ?? []) byName.set(n.toLowerCase(), ctx);
  }
  const defaultCtx = fallback ?? [...byName.values()][0]!;
  const pick = (name: string): tls.SecureContext => {
    const n = name.toLowerCase();
    const exact = byName.get(n);
    if (exact) return exact;
    const dot = n.indexOf('.');
    return (dot > 0 ? byName.get('*' + n.slice(dot)) : undefined) ?? defaultCtx;
  };
  return {
    secureContext: defaultCtx,
    SNICallback: (name, cb) => cb(null, pick(name)),
    minVersion: 'TLSv1.2',
    ...(clientCa === undefined ? {} : { requestCert: true, rejectUnauthorized: false }),
  };
}

/**
 * The identity a verified client certificate names, for SASL EXTERNAL (RFC 4422 appendix A):
 * its first rfc822Name (email) subject alternative name, else its subject CN. Undefined
 * without a certificate the server's client CA verified.
 */
export function certificateUser(socket: unknown): string | undefined {
  if (!(socket instanceof tls.TLSSocket) || !socket.authorized) return undefined;
  const peer = socket.getPeerCertificate();
  const email = /(?:^|,\s*)email:([^,\s]+)/.exec(peer.subjectaltname ?? '');
  if (email) return email[1];
  const cn = peer.subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : undefined;
}

/** Wraps an accepted socket in TLS (implicit TLS, or after a STARTTLS reply). */
export function acceptTls(
  socket: Duplex,
  options: tls.TlsOptions,
  timeoutMs: number,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = new tls.TLSSocket(socket, { ...options, isServer: true });
    // The plain socket may be paused (its line reader was detached): start the handshake.
    s.read(0);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('TLS handshake timed out'));
    }, timeoutMs);
    s.once('secure', () => {
      clearTimeout(timer);
      // A TLSSocket made without a tls.Server never sets `authorized`: do what the server's
      // handshake hook does, so client certificates (SASL EXTERNAL) are judged the same way.
      if (options.requestCert) {
        const handle = (s as unknown as { _handle?: { verifyError(): Error | null } })._handle;
        const err = handle ? handle.verifyError() : new Error('no TLS handle');
        s.authorized = err === null && Object.keys(s.getPeerCertificate()).length > 0;
        if (err) s.authorizationError = err;
      }
      s.off('error', onError);
      s.off('close', onClose);
      s.on('error', () => {});
      resolve(s);
    });
    const onError = (err: Error): void => {
      clearTimeout(timer);
      s.off('close', onClose);
      s.destroy();
      reject(err);
    };
    // A client that hangs up mid-handshake (one refusing our certificate) may end the socket
    // without an error: without this it would hold its connection slot until the timeout.
    const onClose = (): void => onError(new Error('connection closed during the TLS handshake'));
    s.once('error', onError);
    s.once('close', onClose);
  });
}

/** How to check a backend's certificate. */
export interface ClientTlsOptions {
  servername?: string;
  /** PEM CA bundle; the system store when absent. */
  ca?: string | Buffer;
  allowInvalidCerts?: boolean;
  /** SHA-256 of the certificate (DER), hex or base64; when set, a match is required and enough. */
  pins?: string[];
  cert?: string | Buffer;
  key?: string | Buffer;
}

export function certificateSha256(der: Buffer): { hex: string; base64: string } {
  const d = createHash('sha256').update(der).digest();
  return { hex: d.toString('hex'), base64: d.toString('base64') };
}

function pinMatches(pins: string[], der: Buffer): boolean {
  const { hex, base64 } = certificateSha256(der);
  return pins.some((p) => p.replace(/:/g, '').toLowerCase() === hex || p === base64);
}

/**
 * TLS towards a backend: over an existing socket (after STARTTLS) or a new connection.
 * Rejects on any verification failure; a pinned certificate is accepted on its hash alone.
 */
export function connectTls(
  target: { socket: Socket } | { host: string; port: number },
  o: ClientTlsOptions,
  timeoutMs: number,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const pinned = o.pins !== undefined && o.pins.length > 0;
    // Over an existing socket node checks the certificate against "localhost" unless told a
    // host: without a server name, the certificate must then cover the address connected to.
    const host = 'socket' in target ? (o.servername ?? target.socket.remoteAddress) : target.host;
    const s = tls.connect({
      ...target,
      host,
      servername: o.servername,
      ca: o.ca,
      cert: o.cert,
      key: o.key,
      rejectUnauthorized: !(o.allowInvalidCerts || pinned),
      minVersion: 'TLSv1.2',
    });
    const timer = setTimeout(() => fail(new Error('TLS handshake timed out')), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      s.destroy();
      reject(err);
    };
    s.once('error', fail);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      if (pinned && !pinMatches(o.pins!, s.getPeerCertificate().raw)) {
        fail(new Error('backend certificate does not match the pinned hash'));
        return;
      }
      s.off('error', fail);
      s.on('error', () => {});
      resolve(s);
    });
  });
}

/** A plain TCP connection with a connect timeout. */
export function connectTcp(
  host: string,
  port: number,
  timeoutMs: number,
  /**
   * Read into reused buffers (plain legs that may be bridged directly). Such a socket is also
   * half-open: its owner closes it when the peer's end arrives (no shutdown of our side first).
   */
  reads?: ReadBuffers,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // Nagle off from the start (set when the socket is made, not by a call after connecting).
    const s = netConnect(
      connectOptions(
        reads
          ? { host, port, noDelay: true, onread: reads.onread, allowHalfOpen: true }
          : { host, port, noDelay: true },
      ),
    );
    reads?.attach(s);
    const timer = setTimeout(() => fail(new Error(`connect to ${host}:${port} timed out`)), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      s.destroy();
      reject(err);
    };
    s.once('error', fail);
    s.once('connect', () => {
      clearTimeout(timer);
      s.off('error', fail);
      s.on('error', () => {});
      resolve(s);
    });
  });
}
