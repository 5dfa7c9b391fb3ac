/**
 * Who may log in, and how: user sources (a Dovecot passwd-file, the store's user table),
 * password schemes, and the server side of the SASL mechanisms sievert's own servers accept
 * (ManageSieve now, the web editor later). The proxy does not verify credentials and keeps
 * its own replaying SASL in src/net.
 */
import type { Cidr } from '../net/index.js';
import type { Quota } from '../store/types.js';

/** A user as a user source knows them. */
export interface UserEntry {
  /** The canonical user name (scripts are stored under it). */
  name: string;
  /** Scheme-prefixed password hash (`{SHA512-CRYPT}$6$…`); a bare value is `{PLAIN}`. */
  password: string;
  /** Per-user quota overrides (passwd-file extra fields `userdb_sieve_quota_max_scripts=3`). */
  quota: Partial<Quota>;
  /**
   * Who may log in, checked only once the credentials are verified, so that the answer tells
   * nothing to someone without them (as Dovecot does with these passdb extra fields).
   */
  login?: LoginRestrictions;
}

/** Per-user login restrictions (Dovecot passdb extra fields `nologin`, `reason=`, `allow_nets=`). */
export interface LoginRestrictions {
  /** `nologin`: every login is refused with this text (`reason=…`, else Dovecot's wording). */
  disabled?: string;
  /** `allow_nets`: only clients from these networks may log in (the PROXY-protocol address when proxied). */
  allowNets?: readonly Cidr[];
}

export interface UserSource {
  lookup(name: string): Promise<UserEntry | undefined>;
}

/** Mechanisms sievert's servers can offer. */
export type AuthMechanism =
  'PLAIN' | 'LOGIN' | 'SCRAM-SHA-1' | 'SCRAM-SHA-256' | 'OAUTHBEARER' | 'XOAUTH2' | 'EXTERNAL';

export interface AuthContext {
  /** The connection is protected by TLS. */
  secure: boolean;
  remoteAddress: string;
  /** The verified client certificate's subject identity, for EXTERNAL. */
  clientCertificateUser?: string;
}

/** One step of a server-side SASL exchange. */
export type AuthStep =
  | { kind: 'challenge'; data: Buffer }
  /** `user` is the authorized user (a master user's target); `data` is SCRAM's server-final. */
  | {
      kind: 'success';
      user: string;
      authcid: string;
      master: boolean;
      data?: Buffer;
      /** The authorized user's entry when a user source answered (so callers need not look it up again). */
      entry?: UserEntry;
    }
  | {
      kind: 'failure';
      /**
       * credentials: wrong user or password (delay it); malformed: bad SASL data;
       * authz: authenticated but may not act as the authorization identity;
       * unavailable: the user source or token service failed (TRYLATER);
       * too-weak: this user may not use this mechanism (RFC 5804 §1.3 AUTH-TOO-WEAK);
       * disabled: the credentials are right but the account may not log in (`nologin`); the
       * message is meant for the user.
       */
      reason: 'credentials' | 'malformed' | 'authz' | 'unavailable' | 'too-weak' | 'disabled';
      message: string;
    };

export interface AuthExchange {
  /** The client's initial response (undefined when none was sent), then each response. */
  step(response: Buffer | undefined): Promise<AuthStep>;
}

export interface Authenticator {
  /** Mechanisms to advertise on a connection (cleartext ones only with TLS unless allowed). */
  mechanisms(ctx: AuthContext): AuthMechanism[];
  /** Undefined when the mechanism is unknown or not allowed on this connection. */
  start(mechanism: string, ctx: AuthContext): AuthExchange | undefined;
}
