/**
 * Bearer tokens for OAUTHBEARER (RFC 7628) and XOAUTH2: a JWT checked against a JWK Set (file
 * or URL) or a shared HMAC secret (RFC 7519, RFC 7515, RFC 7518 algorithms), or any token
 * checked with the issuer's introspection endpoint (RFC 7662). Good answers are cached by the
 * token's SHA-256 until the token expires.
 */
import {
  createHash,
  createHmac,
  createPublicKey,
  verify as verifySignature,
  constants,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { safeEqual } from './password.js';

export type JwtAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'EdDSA'
  | 'HS256'
  | 'HS384'
  | 'HS512';

export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA',
  'HS256',
  'HS384',
  'HS512',
];

export interface IntrospectionOptions {
  /** The RFC 7662 endpoint (http or https). */
  url: string;
  /** Client credentials sent with HTTP Basic authentication (RFC 6749 §2.3.1). */
  clientId?: string;
  clientSecret?: string;
}

export interface OAuthOptions {
  /** JWK Set for signed tokens: a file path, or an http(s) URL. */
  jwks?: string;
  /** How long a JWK Set is used before it is read again, in seconds. Default 300. */
  jwksCacheSeconds?: number;
  /** Shared secret for HS256/HS384/HS512 tokens. */
  hmacSecret?: string | Buffer;
  /** Accepted JWT algorithms. Default: every one in JWT_ALGORITHMS (`none` never). */
  algorithms?: JwtAlgorithm[];
  /** Required `iss`. Default: not checked. */
  issuer?: string;
  /** Accepted `aud` values: the token's audience must contain one. Default: not checked. */
  audience?: string | string[];
  /** The claim naming the user. Default: the first of `email`, `preferred_username`, `sub`. */
  userClaim?: string;
  /** Clock skew allowed for `exp` and `nbf`, in seconds. Default 60. */
  leewaySeconds?: number;
  /** Checks tokens (those that are not JWTs, or all when no keys are configured) with RFC 7662. */
  introspection?: IntrospectionOptions;
  /**
   * The longest an introspection answer is reused, in seconds, so a revoked token stops
   * working within it even before it expires. Default 60.
   */
  introspectionCacheSeconds?: number;
  /** Most tokens kept in the cache of good answers. Default 10000. */
  cacheSize?: number;
  /** Timeout of a JWK Set fetch or an introspection request, in ms. Default 5000. */
  timeoutMs?: number;
  /** Sent in OAUTHBEARER error challenges (RFC 7628 §3.2.2 `openid-configuration`). */
  openidConfiguration?: string;
  /** Told when a JWK Set cannot be refreshed (the previous keys stay in use). */
  onError?: (error: Error) => void;
  /** Clock in ms (tests). Default Date.now. */
  now?: () => number;
  /** HTTP client (tests). Default the global fetch. */
  fetch?: typeof fetch;
}

export type TokenVerdict =
  | { ok: true; user: string; /** ms since the epoch */ expiresAt?: number }
  | { ok: false; reason: 'invalid' | 'unavailable'; message: string };

export interface TokenVerifier {
  verify(token: string): Promise<TokenVerdict>;
  /** RFC 7628 §3.2.2: where a client finds the issuer's configuration. */
  readonly openidConfiguration?: string;
}

class ServiceError extends Error {}

interface Jwk {
  kid?: string;
  alg?: string;
  kty: string;
  crv?: string;
  key: KeyObject;
}

/** A JWK Set read from a file or fetched from a URL, kept for a while. */
class JwkSet {
  private keys: Jwk[] | undefined;
  private loadedAt = 0;
  private loading: Promise<Jwk[]> | undefined;

  constructor(
    private readonly source: string,
    private readonly options: OAuthOptions,
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * The keys, read again when older than the TTL or, with `rotated`, when a token names a key
   * id not in them (at most every 30 s, so unknown ids cannot make us hammer the issuer).
   */
  async get(rotated = false): Promise<Jwk[]> {
    const age = this.now() - this.loadedAt;
    const stale = age >= (this.options.jwksCacheSeconds ?? 300) * 1000 || (rotated && age >= 30_000);
    if (this.keys && !stale) return this.keys;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    try {
      return await this.loading;
    } catch (e) {
      if (!this.keys) throw e;
      // Keep using the keys we have; the issuer being down must not lock everyone out.
      this.options.onError?.(e as Error);
      this.loadedAt = this.now();
      return this.keys;
    }
  }

  private async load(): Promise<Jwk[]> {
    let doc: unknown;
    if (/^https?:\/\//i.test(this.source)) {
      doc = await fetchJson(this.options, this.source, {
        method: 'GET',
        headers: { accept: 'application/json' },
      });
    } else {
      try {
        doc = JSON.parse(await readFile(this.source, 'utf8')) as unknown;
      } catch (e) {
        throw new ServiceError(`cannot read the JWK Set ${this.source}: ${(e as Error).message}`);
      }
    }
    const list = isObject(doc) && Array.isArray(doc.keys) ? (doc.keys as unknown[]) : undefined;
    if (!list) throw new ServiceError(`the JWK Set ${this.source} has no "keys" array`);
    const keys: Jwk[] = [];
    for (const k of list) {
      if (!isObject(k) || typeof k.kty !== 'string' || k.kty === 'oct') continue;
      if (k.use !== undefined && k.use !== 'sig') continue;
      try {
        const key = createPublicKey({ key: k as never, format: 'jwk' });
        keys.push({
          kty: k.kty,
          key,
          ...(typeof k.kid === 'string' ? { kid: k.kid } : {}),
          ...(typeof k.alg === 'string' ? { alg: k.alg } : {}),
          ...(typeof k.crv === 'string' ? { crv: k.crv } : {}),
        });
      } catch {
        // A key node:crypto cannot use (an unknown curve): tokens signed with it fail.
      }
    }
    this.keys = keys;
    this.loadedAt = this.now();
    return keys;
  }
}

/** What a key must be for an algorithm (RFC 7518 §3, RFC 8037 §3.1). */
function keyFits(alg: JwtAlgorithm, k: Jwk): boolean {
  if (k.alg !== undefined && k.alg !== alg) return false;
  if (alg.startsWith('RS') || alg.startsWith('PS')) return k.kty === 'RSA';
  if (alg === 'ES256') return k.kty === 'EC' && k.crv === 'P-256';
  if (alg === 'ES384') return k.kty === 'EC' && k.crv === 'P-384';
  if (alg === 'EdDSA') return k.kty === 'OKP' && (k.crv === 'Ed25519' || k.crv === 'Ed448');
  return false;
}

function checkSignature(alg: JwtAlgorithm, key: KeyObject, data: Buffer, sig: Buffer): boolean {
  const digest = `sha${alg.slice(2)}`;
  try {
    if (alg.startsWith('RS')) return verifySignature(digest, data, key, sig);
    if (alg.startsWith('PS'))
      return verifySignature(
        digest,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        sig,
      );
    // RFC 7518 §3.4: ECDSA signatures are R || S, not DER.
    if (alg.startsWith('ES')) return verifySignature(digest, data, { key, dsaEncoding: 'ieee-p1363' }, sig);
    return verifySignature(null, data, key, sig);
  } catch {
    return false;
  }
}

const INVALID = (message: string): TokenVerdict => ({ ok: false, reason: 'invalid', message });

/** Verifies bearer tokens and names their user. */
export class OAuthVerifier implements TokenVerifier {
  private readonly jwks: JwkSet | undefined;
  private readonly cache = new Map<string, { user: string; expiresAt: number }>();
  readonly openidConfiguration: string | undefined;

  constructor(private readonly options: OAuthOptions) {
    if (!options.jwks && options.hmacSecret === undefined && !options.introspection)
      throw new Error('oauth: configure jwks, hmac_secret or introspection');
    for (const a of options.algorithms ?? [])
      if (!JWT_ALGORITHMS.includes(a))
        throw new Error(`oauth.algorithms: unknown algorithm ${a} (known: ${JWT_ALGORITHMS.join(', ')})`);
    if (options.introspection && !/^https?:\/\//i.test(options.introspection.url))
      throw new Error(`oauth.introspection.url: not an http(s) URL: ${options.introspection.url}`);
    this.jwks = options.jwks ? new JwkSet(options.jwks, options) : undefined;
    this.openidConfiguration = options.openidConfiguration;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async verify(token: string): Promise<TokenVerdict> {
    const id = createHash('sha256').update(token).digest('base64');
    const hit = this.cache.get(id);
    if (hit) {
      if (hit.expiresAt > this.now()) return { ok: true, user: hit.user, expiresAt: hit.expiresAt };
      this.cache.delete(id);
    }
    let verdict: TokenVerdict;
    try {
      const isJwt = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
      if (isJwt && (this.jwks || this.options.hmacSecret !== undefined))
        verdict = await this.verifyJwt(token);
      else if (this.options.introspection) verdict = await this.introspect(token, this.options.introspection);
      else verdict = INVALID('the token is not a JWT');
    } catch (e) {
      if (e instanceof ServiceError) return { ok: false, reason: 'unavailable', message: e.message };
      throw e;
    }
    if (verdict.ok) this.remember(id, verdict);
    return verdict;
  }

  private remember(id: string, v: { user: string; expiresAt?: number }): void {
    if (v.expiresAt === undefined) return;
    const max = this.options.cacheSize ?? 10_000;
    if (max <= 0) return;
    while (this.cache.size >= max) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(id, { user: v.user, expiresAt: v.expiresAt });
  }

  private async verifyJwt(token: string): Promise<TokenVerdict> {
    const [h, p, s] = token.split('.') as [string, string, string];
    const header = parseJsonPart(h);
    const claims = parseJsonPart(p);
    if (!header || !claims) return INVALID('malformed JWT');
    const alg = header.alg;
    const allowed = this.options.algorithms ?? JWT_ALGORITHMS;
    if (typeof alg !== 'string' || !(allowed as readonly string[]).includes(alg))
      return INVALID(`JWT algorithm ${String(alg)} is not accepted`);
    // RFC 7515 §4.1.11: a critical header parameter we do not understand makes the token invalid.
    if (header.crit !== undefined) return INVALID('JWT has critical header parameters');
    const data = Buffer.from(`${h}.${p}`, 'latin1');
    const sig = Buffer.from(s, 'base64url');
    const a = alg as JwtAlgorithm;
    if (a.startsWith('HS')) {
      if (this.options.hmacSecret === undefined) return INVALID(`JWT algorithm ${a} is not accepted`);
      const mac = createHmac(`sha${a.slice(2)}`, this.options.hmacSecret)
        .update(data)
        .digest();
      if (!safeEqual(mac, sig)) return INVALID('bad JWT signature');
    } else {
      if (!this.jwks) return INVALID(`JWT algorithm ${a} is not accepted`);
      const kid = typeof header.kid === 'string' ? header.kid : undefined;
      const pick = (keys: Jwk[]) => keys.filter((k) => (kid === undefined || k.kid === kid) && keyFits(a, k));
      let candidates = pick(await this.jwks.get());
      if (candidates.length === 0 && kid !== undefined) candidates = pick(await this.jwks.get(true));
      if (candidates.length === 0)
        return INVALID(kid === undefined ? `no key for ${a} in the JWK Set` : `unknown key id ${kid}`);
      if (!candidates.some((k) => checkSignature(a, k.key, data, sig))) return INVALID('bad JWT signature');
    }
    if (typeof claims.exp !== 'number') return INVALID('JWT has no exp claim');
    return this.checkClaims(claims, this.userFrom(claims));
  }

  private checkClaims(claims: Record<string, unknown>, user: string | undefined): TokenVerdict {
    const now = this.now();
    const leeway = (this.options.leewaySeconds ?? 60) * 1000;
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
    if (exp !== undefined && now > exp + leeway) return INVALID('token expired');
    if (typeof claims.nbf === 'number' && now + leeway < claims.nbf * 1000)
      return INVALID('token not yet valid');
    const { issuer, audience } = this.options;
    if (issuer !== undefined && claims.iss !== issuer) return INVALID('token issuer is not accepted');
    if (audience !== undefined) {
      const want = typeof audience === 'string' ? [audience] : audience;
      const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
      if (!aud.some((x) => typeof x === 'string' && want.includes(x)))
        return INVALID('token audience is not accepted');
    }
    if (user === undefined)
      return INVALID(
        `token names no user (claim ${this.options.userClaim ?? 'email, preferred_username or sub'})`,
      );
    return { ok: true, user, ...(exp !== undefined ? { expiresAt: exp } : {}) };
  }

  private userFrom(claims: Record<string, unknown>, first?: string): string | undefined {
    const names = this.options.userClaim
      ? [this.options.userClaim]
      : [...(first ? [first] : []), 'email', 'preferred_username', 'sub'];
    for (const n of names) {
      const v = claims[n];
      if (typeof v === 'string' && v !== '') return v;
    }
    return undefined;
  }

  private async introspect(token: string, opt: IntrospectionOptions): Promise<TokenVerdict> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (opt.clientId !== undefined) {
      // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encoding.
      const basic = `${encodeURIComponent(opt.clientId)}:${encodeURIComponent(opt.clientSecret ?? '')}`;
      headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    }
    const body = new URLSearchParams({ token, token_type_hint: 'access_token' }).toString();
    const doc = await fetchJson(this.options, opt.url, { method: 'POST', headers, body });
    if (!isObject(doc))
      throw new ServiceError('introspection answered with something other than a JSON object');
    if (doc.active !== true) return INVALID('token is not active');
    const verdict = this.checkClaims(doc, this.userFrom(doc, 'username'));
    if (!verdict.ok) return verdict;
    const cap = this.now() + (this.options.introspectionCacheSeconds ?? 60) * 1000;
    return { ok: true, user: verdict.user, expiresAt: Math.min(verdict.expiresAt ?? cap, cap) };
  }
}

export function createOAuthVerifier(options: OAuthOptions): OAuthVerifier {
  return new OAuthVerifier(options);
}

async function fetchJson(options: OAuthOptions, url: string, init: RequestInit): Promise<unknown> {
  const f = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(url, {
      ...init,
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      redirect: 'error',
    });
  } catch (e) {
    throw new ServiceError(`${new URL(url).origin}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new ServiceError(`${new URL(url).origin} answered HTTP ${res.status}`);
  try {
    return await res.json();
  } catch {
    throw new ServiceError(`${new URL(url).origin} answered with invalid JSON`);
  }
}

function parseJsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
