/**
 * The server side of the SASL mechanisms sievert's servers accept: PLAIN (RFC 4616, with
 * master users through the authorization identity), LOGIN, SCRAM-SHA-1/-256 (RFC 5802,
 * RFC 7677), OAUTHBEARER (RFC 7628), XOAUTH2 and EXTERNAL (RFC 4422 Appendix A, from the
 * client certificate). The SASL framing (`+ "…"`, `*` to cancel) is the protocol's business.
 */
import { randomBytes } from 'node:crypto';
import { inNetworks, SaslExchange, type SaslMechanism } from '../net/index.js';
import { type TokenVerifier } from './oauth.js';
import {
  DEFAULT_SCRAM_ITERATIONS,
  hashPassword,
  isPasswordScheme,
  parseScramStored,
  parseStoredPassword,
  plaintextOf,
  verifyPassword,
  type PasswordScheme,
} from './password.js';
import { deriveScramCredentials, ScramServer, scramSaltFor, type ScramMechanism } from './scram.js';
import type {
  AuthContext,
  AuthExchange,
  Authenticator,
  AuthMechanism,
  AuthStep,
  UserEntry,
  UserSource,
} from './types.js';

export interface AuthenticatorOptions {
  users: UserSource;
  /** Master users: PLAIN or SCRAM with an authorization identity log in as that user. */
  masters?: UserSource;
  /** Offer and accept PLAIN, LOGIN, OAUTHBEARER and XOAUTH2 without TLS. SCRAM is always allowed. */
  plaintextWithoutTls: boolean;
  /**
   * The mechanisms offered, in this order. Default PLAIN, LOGIN, SCRAM-SHA-1, SCRAM-SHA-256,
   * then OAUTHBEARER and XOAUTH2 when `oauth` is set, then EXTERNAL when `external` is.
   */
  mechanisms?: AuthMechanism[];
  /** Checks bearer tokens (createOAuthVerifier). Required for OAUTHBEARER and XOAUTH2. */
  oauth?: TokenVerifier;
  /** Offer EXTERNAL on connections with a verified client certificate. Default false. */
  external?: boolean;
  /**
   * Key for the SCRAM salts of users whose password is stored as PLAIN (and of unknown users).
   * Default: random per process, so those salts change on restart (clients just derive again).
   */
  scramSecret?: Buffer;
  /**
   * Told about failures the administrator must fix (a malformed stored hash, a user source
   * that throws). Never given a password or token.
   */
  onError?: (error: Error, context: { mechanism: AuthMechanism; user?: string }) => void;
  /**
   * Checks a password against a stored hash. Default verifyPassword; PasswordWorkers.verify
   * moves the slow hashes off the event loop.
   */
  verifyPassword?: (given: Uint8Array, stored: string) => Promise<boolean>;
}

const CLEARTEXT: ReadonlySet<AuthMechanism> = new Set(['PLAIN', 'LOGIN', 'OAUTHBEARER', 'XOAUTH2']);

/** Mechanisms that send the password or token itself: offered only over TLS unless allowed. */
export function sendsSecret(mechanism: AuthMechanism): boolean {
  return CLEARTEXT.has(mechanism);
}
/** Every mechanism sievert's servers implement (for configuration schemas). */
export const AUTH_MECHANISMS = [
  'PLAIN',
  'LOGIN',
  'SCRAM-SHA-1',
  'SCRAM-SHA-256',
  'OAUTHBEARER',
  'XOAUTH2',
  'EXTERNAL',
] as const satisfies readonly AuthMechanism[];

/** One message for an unknown user and a wrong password, so the answer does not tell them apart. */
const FAILED: AuthStep = { kind: 'failure', reason: 'credentials', message: 'Authentication failed' };
const UNAVAILABLE: AuthStep = {
  kind: 'failure',
  reason: 'unavailable',
  message: 'Authentication service unavailable, try again later',
};
const NOT_AUTHORIZED: AuthStep = {
  kind: 'failure',
  reason: 'authz',
  message: 'Not authorized to act as that user',
};

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  return new SaslAuthenticator(options);
}

class SaslAuthenticator implements Authenticator {
  private readonly offered: AuthMechanism[];
  private readonly scramSecret: Buffer;
  /** The scheme of the last real user's hash: unknown users are verified against a hash in it. */
  private lastScheme: PasswordScheme = 'ARGON2ID';
  private readonly dummies = new Map<PasswordScheme, Promise<string>>();

  private readonly verify: (given: Uint8Array, stored: string) => Promise<boolean>;

  constructor(private readonly options: AuthenticatorOptions) {
    this.verify = options.verifyPassword ?? verifyPassword;
    const defaults: AuthMechanism[] = ['PLAIN', 'LOGIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256'];
    if (options.oauth) defaults.push('OAUTHBEARER', 'XOAUTH2');
    if (options.external) defaults.push('EXTERNAL');
    this.offered = options.mechanisms ?? defaults;
    for (const m of this.offered) {
      if (!(AUTH_MECHANISMS as readonly string[]).includes(m))
        throw new Error(
          `auth.mechanisms: unknown mechanism ${String(m)} (known: ${AUTH_MECHANISMS.join(', ')})`,
        );
      if ((m === 'OAUTHBEARER' || m === 'XOAUTH2') && !options.oauth)
        throw new Error(`auth.mechanisms: ${m} needs an OAuth token verifier (oauth)`);
    }
    this.scramSecret = options.scramSecret ?? randomBytes(32);
  }

  mechanisms(ctx: AuthContext): AuthMechanism[] {
    return this.offered.filter((m) => this.allowed(m, ctx));
  }

  private allowed(m: AuthMechanism, ctx: AuthContext): boolean {
    if (sendsSecret(m) && !ctx.secure && !this.options.plaintextWithoutTls) return false;
    if (m === 'EXTERNAL') return ctx.clientCertificateUser !== undefined;
    return true;
  }

  start(mechanism: string, ctx: AuthContext): AuthExchange | undefined {
    const m = mechanism.toUpperCase() as AuthMechanism;
    if (!this.offered.includes(m) || !this.allowed(m, ctx)) return undefined;
    switch (m) {
      case 'PLAIN':
      case 'LOGIN':
        return this.passwordExchange(m, ctx);
      case 'SCRAM-SHA-1':
      case 'SCRAM-SHA-256':
        return this.scram(m, ctx);
      case 'OAUTHBEARER':
      case 'XOAUTH2':
        return this.bearerExchange(m, this.options.oauth!);
      case 'EXTERNAL':
        return this.external(ctx);
    }
  }

  // -------------------------------------------------------------------------------------------

  private report(error: unknown, mechanism: AuthMechanism, user?: string): void {
    const e = error instanceof Error ? error : new Error(String(error));
    this.options.onError?.(e, { mechanism, ...(user !== undefined ? { user } : {}) });
  }

  private async lookup(
    source: UserSource,
    name: string,
    mechanism: AuthMechanism,
  ): Promise<UserEntry | undefined> {
    try {
      const entry = await source.lookup(name);
      if (entry) {
        const { scheme } = parseStoredPassword(entry.password);
        if (isPasswordScheme(scheme) && scheme !== 'CRYPT') this.lastScheme = scheme;
      }
      return entry;
    } catch (e) {
      this.report(e, mechanism, name);
      throw new LookupFailed();
    }
  }

  /** A hash in the scheme real users have, so an unknown user costs the same time to refuse. */
  private dummy(): Promise<string> {
    const scheme = this.lastScheme;
    let d = this.dummies.get(scheme);
    if (!d) {
      d = hashPassword(randomBytes(16).toString('base64'), scheme);
      this.dummies.set(scheme, d);
    }
    return d;
  }

  /** Checks a password; an unknown user is checked against a dummy hash, then refused. */
  private async checkPassword(
    entry: UserEntry | undefined,
    secret: Buffer,
    mechanism: AuthMechanism,
  ): Promise<boolean> {
    if (!entry) {
      await this.verify(secret, await this.dummy()).catch(() => false);
      return false;
    }
    try {
      return await this.verify(secret, entry.password);
    } catch (e) {
      this.report(e, mechanism, entry.name);
      throw new LookupFailed();
    }
  }

  /**
   * The entry's login restrictions (`allow_nets`, `nologin`), asked only once its credentials
   * are verified. A client outside `allow_nets` gets the answer a wrong password gets, as in
   * Dovecot (auth_request_validate_networks); `nologin` shows its reason, as Dovecot's login
   * processes do: the client has proved it knows the password.
   */
  private restricted(entry: UserEntry, ctx: AuthContext): AuthStep | undefined {
    const login = entry.login;
    if (!login) return undefined;
    if (login.allowNets && !inNetworks(login.allowNets, ctx.remoteAddress)) return FAILED;
    if (login.disabled !== undefined) return { kind: 'failure', reason: 'disabled', message: login.disabled };
    return undefined;
  }

  /** A user whose credentials are verified, logging in as themself. */
  private loggedIn(entry: UserEntry, ctx: AuthContext): AuthStep {
    return (
      this.restricted(entry, ctx) ?? {
        kind: 'success',
        user: entry.name,
        authcid: entry.name,
        master: false,
        entry,
      }
    );
  }

  /** PLAIN and LOGIN: a password, and for PLAIN maybe an authorization identity. */
  private passwordExchange(mechanism: 'PLAIN' | 'LOGIN', ctx: AuthContext): AuthExchange {
    return saslExchange(mechanism, async (c) => {
      const authcid = utf8(c.authcid);
      const authzid = utf8(c.authzid);
      if (authcid === undefined || authzid === undefined) return malformed('User names are UTF-8');
      const secret = Buffer.from(c.secret, 'latin1');
      try {
        if (authzid === '' || authzid === authcid) {
          const entry = await this.lookup(this.options.users, authcid, mechanism);
          if (!(await this.checkPassword(entry, secret, mechanism))) return FAILED;
          return this.loggedIn(entry!, ctx);
        }
        // RFC 4616 §2: a different authzid asks to act as another user, which only masters may.
        const master = this.options.masters
          ? await this.lookup(this.options.masters, authcid, mechanism)
          : undefined;
        if (master) {
          if (!(await this.checkPassword(master, secret, mechanism))) return FAILED;
          return await this.actAs(master, authzid, mechanism, ctx);
        }
        const entry = await this.lookup(this.options.users, authcid, mechanism);
        if (!(await this.checkPassword(entry, secret, mechanism))) return FAILED;
        return NOT_AUTHORIZED;
      } catch (e) {
        if (e instanceof LookupFailed) return UNAVAILABLE;
        throw e;
      }
    });
  }

  /**
   * A master user, authenticated, acting as `authzid`, who must exist. Both entries' login
   * restrictions apply: the master's own, and the user's (a disabled account stays disabled).
   */
  private async actAs(
    master: UserEntry,
    authzid: string,
    mechanism: AuthMechanism,
    ctx: AuthContext,
  ): Promise<AuthStep> {
    const refused = this.restricted(master, ctx);
    if (refused) return refused;
    const target = await this.lookup(this.options.users, authzid, mechanism);
    if (!target) return NOT_AUTHORIZED;
    return (
      this.restricted(target, ctx) ?? {
        kind: 'success',
        user: target.name,
        authcid: master.name,
        master: true,
        entry: target,
      }
    );
  }

  /**
   * The mechanisms that could serve an entry, of those offered: PLAIN and LOGIN check any
   * stored hash; SCRAM needs that mechanism's keys or the password itself.
   */
  private servedBy(entry: UserEntry): AuthMechanism[] {
    const { scheme } = parseStoredPassword(entry.password);
    const plain = plaintextOf(entry.password) !== undefined;
    return this.offered.filter((m) =>
      m === 'PLAIN' || m === 'LOGIN' ? true : m.startsWith('SCRAM-') ? plain || m === scheme : false,
    );
  }

  /**
   * SCRAM-SHA-1 and SCRAM-SHA-256. A user whose stored password cannot answer the mechanism
   * (a one-way hash such as SHA512-CRYPT, or SCRAM keys of the other hash) is refused with
   * `too-weak` in answer to the client-first message, naming the mechanisms that would work:
   * RFC 5804 §1.3 AUTH-TOO-WEAK, "the server's policy does not allow the user to authenticate
   * using the requested mechanism". Dovecot answers "Authentication failed." there, which a
   * user cannot tell from a wrong password. The answer tells a client that the name exists,
   * so it is a failed login like any other: delayed and counted per client address. Unknown
   * users still run the exchange on decoy keys and fail at the proof.
   */
  private scram(mechanism: ScramMechanism, ctx: AuthContext): AuthExchange {
    let tooWeak: AuthStep | undefined;
    const server = this.scramServer(mechanism, ctx, (entry) => {
      const others = this.servedBy(entry).filter((m) => m !== mechanism);
      tooWeak = {
        kind: 'failure',
        reason: 'too-weak',
        message:
          `${mechanism} cannot be used with this account's stored password` +
          (others.length > 0 ? `; log in with ${orList(others)}` : ''),
      };
    });
    return {
      step: async (response) => {
        const step = await server.step(response);
        return tooWeak ?? step;
      },
    };
  }

  private scramServer(
    mechanism: ScramMechanism,
    ctx: AuthContext,
    cannotServe: (entry: UserEntry) => void,
  ): ScramServer {
    /** The entry the keys came from: the one a valid proof authenticates, not looked up again. */
    let authenticated: UserEntry | undefined;
    const server = new ScramServer({
      mechanism,
      secret: this.scramSecret,
      credentials: async (authcid, authzid) => {
        const fromMasters = authzid !== '' && authzid !== authcid;
        const source = fromMasters ? this.options.masters : this.options.users;
        const entry = source ? await this.lookup(source, authcid, mechanism) : undefined;
        if (!entry) return undefined;
        authenticated = entry;
        try {
          const { scheme, value } = parseStoredPassword(entry.password);
          if (scheme === mechanism) return parseScramStored(mechanism, value);
          const plain = plaintextOf(entry.password);
          if (plain !== undefined)
            return await deriveScramCredentials(
              mechanism,
              plain,
              scramSaltFor(this.scramSecret, mechanism, authcid),
              DEFAULT_SCRAM_ITERATIONS,
            );
        } catch (e) {
          this.report(e, mechanism, entry.name);
          throw e;
        }
        // Other hashes cannot answer SCRAM: it needs the keys, not a one-way hash of the password.
        cannotServe(entry);
        return undefined;
      },
      // Called only after a valid proof, so only once credentials() has found the entry: a
      // master (from the masters source) when the authzid names another user.
      authorize: async (authcid, authzid) => {
        const entry = authenticated!;
        if (authzid === '' || authzid === authcid) return this.loggedIn(entry, ctx);
        try {
          return await this.actAs(entry, authzid, mechanism, ctx);
        } catch (e) {
          if (e instanceof LookupFailed) return UNAVAILABLE;
          throw e;
        }
      },
    });
    return server;
  }

  /**
   * OAUTHBEARER and XOAUTH2. A failed token gets an error challenge first (RFC 7628 §3.2.2;
   * XOAUTH2 does the same), which the client answers with a dummy response (`^A`), then the
   * failure.
   */
  private bearerExchange(mechanism: 'OAUTHBEARER' | 'XOAUTH2', verifier: TokenVerifier): AuthExchange {
    let pendingFailure: AuthStep | undefined;
    const inner = saslExchange(mechanism, async (c) => {
      const named = utf8(mechanism === 'OAUTHBEARER' ? c.authzid : c.authcid);
      if (named === undefined) return malformed('User names are UTF-8');
      const verdict = await verifier.verify(c.secret);
      if (!verdict.ok && verdict.reason === 'unavailable') {
        this.report(new Error(verdict.message), mechanism);
        return UNAVAILABLE;
      }
      let failure: AuthStep | undefined;
      if (!verdict.ok) failure = { kind: 'failure', reason: 'credentials', message: 'Invalid token' };
      else if (named !== '' && named !== verdict.user) failure = NOT_AUTHORIZED;
      if (!failure && verdict.ok)
        return { kind: 'success', user: verdict.user, authcid: verdict.user, master: false };
      pendingFailure = failure;
      return {
        kind: 'challenge',
        data: Buffer.from(bearerError(mechanism, verifier.openidConfiguration), 'utf8'),
      };
    });
    return {
      step: async (response) => {
        if (pendingFailure) return pendingFailure;
        return inner.step(response);
      },
    };
  }

  private external(ctx: AuthContext): AuthExchange {
    return new ExternalExchange(ctx.clientCertificateUser);
  }
}

/** EXTERNAL (RFC 4422 Appendix A): the client certificate names the user. */
class ExternalExchange implements AuthExchange {
  private asked = false;

  constructor(private readonly certificateUser: string | undefined) {}

  step(response: Buffer | undefined): Promise<AuthStep> {
    return Promise.resolve(this.answer(response));
  }

  private answer(response: Buffer | undefined): AuthStep {
    if (response === undefined && !this.asked) {
      this.asked = true;
      return { kind: 'challenge', data: Buffer.alloc(0) };
    }
    const authzid = utf8((response ?? Buffer.alloc(0)).toString('latin1'));
    if (authzid === undefined) return malformed('The authorization identity is UTF-8');
    const user = this.certificateUser;
    if (user === undefined) return FAILED;
    // Appendix A.1: an empty authzid means the identity the certificate gives.
    if (authzid !== '' && authzid !== user) return NOT_AUTHORIZED;
    return { kind: 'success', user, authcid: user, master: false };
  }
}

class LookupFailed extends Error {}

/** `A`, `A or B`, `A, B or C`. */
function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)!}`;
}

function malformed(message: string): AuthStep {
  return { kind: 'failure', reason: 'malformed', message };
}

/** RFC 7628 §3.2.2 error JSON; XOAUTH2 answers in Google's shape. */
function bearerError(mechanism: 'OAUTHBEARER' | 'XOAUTH2', openidConfiguration: string | undefined): string {
  const doc: Record<string, string> =
    mechanism === 'OAUTHBEARER' ? { status: 'invalid_token' } : { status: '401', schemes: 'bearer' };
  if (openidConfiguration !== undefined) doc['openid-configuration'] = openidConfiguration;
  return JSON.stringify(doc);
}

/**
 * The net module's SASL parsing (PLAIN, LOGIN, OAUTHBEARER, XOAUTH2) driving an AuthExchange:
 * the first step gets the initial response (or undefined), then each response in turn.
 */
function saslExchange(
  mechanism: SaslMechanism,
  done: (c: { authzid: string; authcid: string; secret: string }) => Promise<AuthStep>,
): AuthExchange {
  const sasl = new SaslExchange(mechanism);
  let started = false;
  let finished = false;
  return {
    async step(response) {
      if (finished) return malformed('The exchange is over');
      let s;
      if (!started) {
        started = true;
        s = sasl.start(response);
      } else {
        s = sasl.step(response ?? Buffer.alloc(0));
      }
      if (s.kind === 'challenge') return s;
      if (s.kind === 'error') {
        finished = true;
        return malformed(s.message);
      }
      const result = await done(s.credentials);
      finished = result.kind !== 'challenge';
      return result;
    },
  };
}

const decoder = new TextDecoder('utf-8', { fatal: true });
/** The net module's SASL strings are binary (latin1); identities are UTF-8 (RFC 4616 §2). */
function utf8(binary: string): string | undefined {
  try {
    return decoder.decode(Buffer.from(binary, 'latin1'));
  } catch {
    return undefined;
  }
}
