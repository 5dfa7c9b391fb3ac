/**
 * Server side of SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677), without channel binding
 * (the -PLUS variants are not offered). The server works from the stored keys alone: a Dovecot
 * `{SCRAM-SHA-256}` hash, or keys derived from a PLAIN password with a per-user salt.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { saslprep } from '@mongodb-js/saslprep';
import { DEFAULT_SCRAM_ITERATIONS, safeEqual, scramKeys, type ScramCredentials } from './password.js';
import type { AuthExchange, AuthStep } from './types.js';

export type ScramMechanism = 'SCRAM-SHA-1' | 'SCRAM-SHA-256';
export type { ScramCredentials };

function hashOf(mechanism: ScramMechanism): 'sha1' | 'sha256' {
  return mechanism === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
}

/**
 * RFC 5802 §3: SaltedPassword = Hi(Normalize(password), salt, i), then StoredKey and ServerKey.
 * The password is SASLprepped (RFC 4013) as the client does; a password SASLprep refuses is
 * used as it is, which is what a client that does not normalise sends.
 */
export async function deriveScramCredentials(
  mechanism: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<ScramCredentials> {
  let normalized = password;
  try {
    normalized = saslprep(password);
  } catch {
    // Prohibited characters: keep the password as stored.
  }
  return scramKeys(mechanism, Buffer.from(normalized, 'utf8'), salt, iterations);
}

/**
 * The salt used for a user whose password is not stored as SCRAM keys, and for an unknown user
 * (so the server-first message does not tell the two apart): HMAC(secret, mechanism ":" user),
 * the same on every attempt as long as the secret is.
 */
export function scramSaltFor(secret: Buffer, mechanism: ScramMechanism, user: string): Buffer {
  return createHmac('sha256', secret).update(`${mechanism}:${user}`).digest().subarray(0, 16);
}

export interface ScramServerOptions {
  mechanism: ScramMechanism;
  /**
   * The authentication identity's keys, or undefined when the user is unknown or has no
   * usable credentials (the exchange then runs on decoy keys and fails at the proof). `authzid`
   * is given so a master user can be looked up in the master source. May throw: the exchange
   * then fails with `unavailable`.
   */
  credentials(authcid: string, authzid: string): Promise<ScramCredentials | undefined>;
  /**
   * Called after a valid proof: who the session acts as. Defaults to the authentication
   * identity, refusing any other authorization identity.
   */
  authorize?(authcid: string, authzid: string): Promise<AuthStep>;
  /** Key for decoy salts (scramSaltFor). */
  secret: Buffer;
  /** The server's part of the nonce (printable, no comma). Default: 18 random bytes in base64. */
  nonce?: () => string;
}

const MALFORMED = (message: string): AuthStep => ({ kind: 'failure', reason: 'malformed', message });
const FAILED: AuthStep = { kind: 'failure', reason: 'credentials', message: 'Authentication failed' };

/** RFC 5802 §5.1 saslname: `=2C` and `=3D` are the only escapes; any other `=` is an error. */
function decodeSaslname(s: string): string | undefined {
  if (/=(?!2C|3D)/.test(s)) return undefined;
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** One SCRAM exchange: client-first → server-first → client-final → success with `v=`. */
export class ScramServer implements AuthExchange {
  private state: 'first' | 'final' | 'done' = 'first';
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private authcid = '';
  private authzid = '';
  private keys: ScramCredentials | undefined;
  private decoy = false;

  constructor(private readonly options: ScramServerOptions) {}

  async step(response: Buffer | undefined): Promise<AuthStep> {
    if (this.state === 'done') return MALFORMED('The exchange is over');
    // SCRAM is client-first: without an initial response, ask for it with an empty challenge.
    if (response === undefined) {
      if (this.state === 'first') return { kind: 'challenge', data: Buffer.alloc(0) };
      this.state = 'done';
      return MALFORMED('Expected the client-final message');
    }
    const text = utf8(response);
    if (text === undefined) {
      this.state = 'done';
      return MALFORMED('SCRAM messages are UTF-8');
    }
    if (this.state === 'first') return this.clientFirst(text);
    this.state = 'done';
    return this.clientFinal(text);
  }

  private async clientFirst(msg: string): Promise<AuthStep> {
    this.state = 'done';
    // RFC 5802 §7: gs2-header = gs2-cbind-flag "," [authzid] ","
    const m = /^(n|y|p=[^,]*),(a=[^,]*)?,(.*)$/s.exec(msg);
    if (!m) return MALFORMED('Malformed client-first message');
    if (m[1]!.startsWith('p='))
      return MALFORMED('Channel binding is not supported (use the mechanism without -PLUS)');
    const authzid = m[2] === undefined ? '' : decodeSaslname(m[2].slice(2));
    if (authzid === undefined) return MALFORMED('Malformed authzid');
    const bare = m[3]!;
    const attrs = bare.split(',');
    // §5.1: "m" is reserved for mandatory extensions a server not knowing them must refuse.
    if (attrs[0]?.startsWith('m=')) return MALFORMED('Unsupported mandatory extension');
    const user = attrs[0]?.startsWith('n=') ? decodeSaslname(attrs[0].slice(2)) : undefined;
    const clientNonce = attrs[1]?.startsWith('r=') ? attrs[1].slice(2) : undefined;
    if (user === undefined || user === '') return MALFORMED('Malformed user name');
    // §7: anything after the nonce is an extension, `attr=value`; we know none and ignore them.
    if (attrs.slice(2).some((a) => !/^[A-Za-z]=/.test(a))) return MALFORMED('Malformed extension');
    if (clientNonce === undefined || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce))
      return MALFORMED('Malformed nonce');

    let keys: ScramCredentials | undefined;
    try {
      keys = await this.options.credentials(user, authzid);
    } catch {
      return {
        kind: 'failure',
        reason: 'unavailable',
        message: 'Authentication service unavailable, try again later',
      };
    }
    if (keys === undefined) {
      // Decoy keys: the exchange goes on as for a real user and fails at the proof. They are
      // derived like a PLAIN-stored user's, so the time taken does not tell the two apart.
      this.decoy = true;
      const salt = scramSaltFor(this.options.secret, this.options.mechanism, user);
      keys = await deriveScramCredentials(
        this.options.mechanism,
        randomBytes(16).toString('base64'),
        salt,
        DEFAULT_SCRAM_ITERATIONS,
      );
    }
    this.keys = keys;
    this.authcid = user;
    this.authzid = authzid;
    this.gs2Header = msg.slice(0, msg.length - bare.length);
    this.clientFirstBare = bare;
    const serverNonce = this.options.nonce?.() ?? randomBytes(18).toString('base64');
    this.nonce = clientNonce + serverNonce;
    this.serverFirst = `r=${this.nonce},s=${keys.salt.toString('base64')},i=${keys.iterations}`;
    this.state = 'final';
    return { kind: 'challenge', data: Buffer.from(this.serverFirst, 'utf8') };
  }

  private async clientFinal(msg: string): Promise<AuthStep> {
    // client-final-message = channel-binding "," nonce ["," extensions] "," proof
    const proofAt = msg.lastIndexOf(',p=');
    if (proofAt < 0) return MALFORMED('Missing proof');
    const withoutProof = msg.slice(0, proofAt);
    const proofText = msg.slice(proofAt + 3);
    const attrs = withoutProof.split(',');
    if (!attrs[0]?.startsWith('c=') || !attrs[1]?.startsWith('r='))
      return MALFORMED('Malformed client-final message');
    // §5.1: without channel binding, c= is the base64 of the gs2-header the client sent first.
    if (attrs[0].slice(2) !== Buffer.from(this.gs2Header, 'utf8').toString('base64'))
      return MALFORMED('Channel binding data does not match the gs2 header');
    if (attrs[1].slice(2) !== this.nonce) return MALFORMED('Nonce mismatch');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(proofText)) return MALFORMED('Malformed proof');

    const keys = this.keys!;
    const hash = hashOf(this.options.mechanism);
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = createHmac(hash, keys.storedKey).update(authMessage).digest();
    const proof = Buffer.from(proofText, 'base64');
    if (proof.length !== clientSignature.length)
      return this.decoy ? FAILED : MALFORMED('Proof has the wrong length');
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const ok = safeEqual(createHash(hash).update(clientKey).digest(), keys.storedKey);
    if (!ok || this.decoy) return FAILED;

    const result = this.options.authorize
      ? await this.options.authorize(this.authcid, this.authzid)
      : defaultAuthorize(this.authcid, this.authzid);
    if (result.kind !== 'success') return result;
    const serverSignature = createHmac(hash, keys.serverKey).update(authMessage).digest();
    return { ...result, data: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8') };
  }
}

function defaultAuthorize(authcid: string, authzid: string): AuthStep {
  if (authzid !== '' && authzid !== authcid)
    return { kind: 'failure', reason: 'authz', message: 'Not authorized to act as that user' };
  return { kind: 'success', user: authcid, authcid, master: false };
}

const decoder = new TextDecoder('utf-8', { fatal: true });
function utf8(b: Buffer): string | undefined {
  try {
    return decoder.decode(b);
  } catch {
    return undefined;
  }
}
