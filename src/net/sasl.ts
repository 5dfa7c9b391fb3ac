/**
 * Server side of the SASL mechanisms a proxy takes from clients (PLAIN RFC 4616, LOGIN,
 * OAUTHBEARER RFC 7628, XOAUTH2) and the encodings it replays to backends. Secrets are binary
 * strings (latin1, one char per byte) so they replay byte for byte.
 */
import { ProtocolError } from './line-reader.js';

export type SaslMechanism = 'PLAIN' | 'LOGIN' | 'OAUTHBEARER' | 'XOAUTH2';
export const saslMechanisms: readonly SaslMechanism[] = ['PLAIN', 'LOGIN', 'OAUTHBEARER', 'XOAUTH2'];

/** What the client proved it knows, and how, kept for replay. */
export interface Credentials {
  /** How the client sent them: a SASL mechanism, or the protocol's own LOGIN / USER+PASS. */
  mechanism: SaslMechanism | 'IMAP-LOGIN' | 'USER-PASS';
  /** PLAIN authorization identity or OAUTHBEARER `a=`; empty when not given. */
  authzid: string;
  /** The authentication identity (user name), empty for a bearer token without a user. */
  authcid: string;
  /** Password or bearer token. Never logged. */
  secret: string;
  /** OAuth mechanisms: the client's whole initial response, replayed unchanged. */
  raw?: Buffer;
}

export type SaslStep =
  | { kind: 'challenge'; data: Buffer }
  | { kind: 'done'; credentials: Credentials }
  | { kind: 'error'; message: string };

export function isSaslMechanism(s: string): s is SaslMechanism {
  return (saslMechanisms as readonly string[]).includes(s);
}

/** RFC 4648 base64 as SASL carries it: strict alphabet, `=` alone means empty (RFC 4959). */
export function decodeBase64(s: string): Buffer | undefined {
  const t = s.trim();
  if (t === '=') return Buffer.alloc(0);
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return undefined;
  return Buffer.from(t, 'base64');
}

export function decodePlain(data: Buffer): Credentials | undefined {
  const parts = data.toString('latin1').split('\0');
  if (parts.length !== 3) return undefined;
  const [authzid, authcid, secret] = parts as [string, string, string];
  if (authcid === '') return undefined;
  return { mechanism: 'PLAIN', authzid, authcid, secret };
}

export function encodePlain(authzid: string, authcid: string, secret: string): Buffer {
  return Buffer.from(`${authzid}\0${authcid}\0${secret}`, 'latin1');
}

/** RFC 7628 §3.1: `gs2-header kvsep *(kvpair) kvsep`, gs2-header `n,a=user,`. */
export function decodeOAuthBearer(data: Buffer): Credentials | undefined {
  const s = data.toString('latin1');
  const first = s.indexOf('\x01');
  if (first < 0) return undefined;
  const gs2 = s.slice(0, first).split(',');
  if (gs2.length < 2 || !['n', 'y', 'p'].includes(gs2[0]!.split('=')[0]!)) return undefined;
  let authzid = '';
  const a = gs2[1]!;
  if (a.startsWith('a=')) authzid = a.slice(2).replace(/=2C/g, ',').replace(/=3D/g, '=');
  const token = bearerFrom(s.slice(first + 1).split('\x01'));
  if (token === undefined) return undefined;
  return { mechanism: 'OAUTHBEARER', authzid, authcid: '', secret: token, raw: data };
}

/** Google's XOAUTH2: `user=<user>^Aauth=Bearer <token>^A^A`. */
export function decodeXOAuth2(data: Buffer): Credentials | undefined {
  const fields = data.toString('latin1').split('\x01');
  const user = fields.find((f) => f.startsWith('user='));
  const token = bearerFrom(fields);
  if (user === undefined || token === undefined) return undefined;
  return { mechanism: 'XOAUTH2', authzid: '', authcid: user.slice(5), secret: token, raw: data };
}

function bearerFrom(fields: string[]): string | undefined {
  const auth = fields.find((f) => f.toLowerCase().startsWith('auth='));
  if (!auth) return undefined;
  const m = /^auth=bearer\s+(\S+)$/i.exec(auth);
  return m?.[1];
}

/**
 * The user named by a bearer token's claims when the SASL exchange names none. The token is
 * not verified here (the backend does that); the claims only choose where to send it.
 */
export function identifierFromToken(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (typeof claims !== 'object' || claims === null) return undefined;
    const c = claims as Record<string, unknown>;
    for (const key of ['email', 'preferred_username', 'upn', 'sub']) {
      const v = c[key];
      if (typeof v === 'string' && v !== '') return v;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * One server-side SASL exchange: `start` with the mechanism and the initial response (if the
 * client sent one), then `step` with each response until `done` or `error`. Cancelling (`*`)
 * is the caller's business, since each protocol spells it differently.
 */
export class SaslExchange {
  private loginUser: string | undefined;

  constructor(readonly mechanism: SaslMechanism) {}

  start(initial: Buffer | undefined): SaslStep {
    if (initial === undefined) {
      if (this.mechanism === 'LOGIN') return { kind: 'challenge', data: Buffer.from('Username:') };
      return { kind: 'challenge', data: Buffer.alloc(0) };
    }
    return this.step(initial);
  }

  step(data: Buffer): SaslStep {
    switch (this.mechanism) {
      case 'PLAIN': {
        const c = decodePlain(data);
        return c ? { kind: 'done', credentials: c } : { kind: 'error', message: 'malformed PLAIN response' };
      }
      case 'LOGIN': {
        if (this.loginUser === undefined) {
          this.loginUser = data.toString('latin1');
          if (this.loginUser === '') return { kind: 'error', message: 'empty user name' };
          return { kind: 'challenge', data: Buffer.from('Password:') };
        }
        return {
          kind: 'done',
          credentials: {
            mechanism: 'LOGIN',
            authzid: '',
            authcid: this.loginUser,
            secret: data.toString('latin1'),
          },
        };
      }
      case 'OAUTHBEARER': {
        const c = decodeOAuthBearer(data);
        return c
          ? { kind: 'done', credentials: c }
          : { kind: 'error', message: 'malformed OAUTHBEARER response' };
      }
      case 'XOAUTH2': {
        const c = decodeXOAuth2(data);
        return c
          ? { kind: 'done', credentials: c }
          : { kind: 'error', message: 'malformed XOAUTH2 response' };
      }
    }
  }
}

export type SaslOutcome =
  | { ok: true; credentials: Credentials }
  /**
   * `unreadable`: the framing refused a response (a ProtocolError: past the line or literal cap).
   * What follows it cannot be told from a command, so the session answers and then ends.
   */
  | { ok: false; reason: 'cancelled' | 'malformed' | 'unreadable'; message: string };

/**
 * Drives one server-side exchange over a protocol's framing: `challenge` sends base64 data
 * the protocol's way (`+ …`, `334 …`, a quoted string), `response` reads the client's next
 * answer as base64 text, `*` meaning cancel (RFC 4422 §3.5).
 */
export async function serverSasl(
  mechanism: SaslMechanism,
  initialResponse: string | undefined,
  io: { challenge(base64: string): void; response(): Promise<string> },
): Promise<SaslOutcome> {
  const sasl = new SaslExchange(mechanism);
  let initial: Buffer | undefined;
  if (initialResponse !== undefined) {
    initial = decodeBase64(initialResponse);
    if (!initial) return { ok: false, reason: 'malformed', message: 'Invalid base64' };
  }
  let step = sasl.start(initial);
  // PLAIN and the OAuth mechanisms finish in one round, LOGIN in two.
  for (let round = 0; step.kind === 'challenge' && round < 4; round++) {
    io.challenge(step.data.toString('base64'));
    let line: string;
    try {
      line = (await io.response()).trim();
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      return { ok: false, reason: 'unreadable', message: e.message };
    }
    if (line === '*') return { ok: false, reason: 'cancelled', message: 'Authentication cancelled' };
    const data = decodeBase64(line);
    if (!data) return { ok: false, reason: 'malformed', message: 'Invalid base64' };
    step = sasl.step(data);
  }
  if (step.kind === 'done') return { ok: true, credentials: step.credentials };
  return {
    ok: false,
    reason: 'malformed',
    message: step.kind === 'error' ? step.message : 'Too many rounds',
  };
}
