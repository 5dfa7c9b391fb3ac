import { identifierFromToken, type Credentials } from '../net/index.js';
import { normalizeIdentifier, type DestinationConfig, type ProxyConfig } from './config.js';
import type { MappingSource } from './mapping.js';

export type IdentifierResult = { ok: true; identifier: string } | { ok: false; reason: string };

/**
 * The routing identifier (spec "Credentials and routing"): the PLAIN authorization identity
 * when given (a master user acting for that account), else the user name with any master-user
 * suffix (`user%master`) cut off; for OAuth the `a=`/`user=` field, else the token's claims.
 */
export function routingIdentifier(c: Credentials, separators: readonly string[]): IdentifierResult {
  // Names are replayed inside protocol lines: nothing that could end or split a line.
  if (/[\0\r\n]/.test(c.authcid + c.authzid))
    return { ok: false, reason: 'user name contains control characters' };
  let raw: string | undefined;
  if (c.authzid !== '') raw = c.authzid;
  else if (c.authcid !== '') raw = stripMasterUser(c.authcid, separators);
  else if (c.mechanism === 'OAUTHBEARER' || c.mechanism === 'XOAUTH2') raw = identifierFromToken(c.secret);
  if (raw === undefined || raw === '') return { ok: false, reason: 'no user name to route on' };
  // Credentials are binary strings; identifiers are compared and logged as UTF-8 text.
  const identifier = Buffer.from(raw, 'latin1').toString('utf8');
  // They end up inside IMAP ID strings and XCLIENT lines: nothing that could break out.
  if (/[\s"'\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(identifier) || identifier.includes('\ufffd')) {
    return { ok: false, reason: 'user name contains characters that are not allowed' };
  }
  if (identifier.length > 255) return { ok: false, reason: 'user name too long' };
  return { ok: true, identifier };
}

export function stripMasterUser(name: string, separators: readonly string[]): string {
  for (const sep of separators) {
    const i = name.lastIndexOf(sep);
    if (i > 0) return name.slice(0, i);
  }
  return name;
}

export type RouteResult =
  | { ok: true; destination: DestinationConfig; source: 'override' | 'mapping' | 'default' }
  | { ok: false; reason: 'no-route' | 'mapping-down' | 'no-protocol'; message: string };

type Resolved =
  | { ok: true; id: string; source: 'override' | 'mapping' | 'default' }
  | { ok: false; reason: 'no-route' | 'mapping-down'; message: string };

export class Router {
  /** Entries set through the admin API; they win over the mapping source and are not persisted. */
  readonly overrides = new Map<string, string>();

  constructor(
    public config: ProxyConfig,
    private readonly mapping: MappingSource | undefined,
  ) {}

  normalize(identifier: string): string {
    return normalizeIdentifier(this.config.mapping, identifier);
  }

  /**
   * The destination id for an identifier, before any protocol check. Without a mapping source
   * nothing waits, and the answer comes without a promise (one fewer per login).
   */
  resolve(identifier: string): Resolved | Promise<Resolved> {
    const key = this.normalize(identifier);
    const override = this.overrides.get(key);
    if (override !== undefined) return { ok: true, id: override, source: 'override' };
    return this.mapping ? this.lookup(this.mapping, key) : this.fallback();
  }

  private async lookup(mapping: MappingSource, key: string): Promise<Resolved> {
    try {
      const id = await mapping.lookup(key);
      if (id !== undefined) return { ok: true, id, source: 'mapping' };
    } catch (e) {
      if (this.config.routing.onMappingFailure !== 'default') {
        return { ok: false, reason: 'mapping-down', message: (e as Error).message };
      }
    }
    return this.fallback();
  }

  private fallback(): Resolved {
    const id = this.config.routing.defaultDestination;
    if (id === undefined) return { ok: false, reason: 'no-route', message: 'no destination for this user' };
    return { ok: true, id, source: 'default' };
  }

  route(
    identifier: string,
    protocol: keyof DestinationConfig['protocols'],
  ): RouteResult | Promise<RouteResult> {
    const r = this.resolve(identifier);
    return r instanceof Promise
      ? r.then((x) => this.destination(x, protocol))
      : this.destination(r, protocol);
  }

  private destination(r: Resolved, protocol: keyof DestinationConfig['protocols']): RouteResult {
    if (!r.ok) return r;
    const destination = this.config.destinations.get(r.id);
    if (!destination) return { ok: false, reason: 'no-route', message: `unknown destination ${r.id}` };
    if (!destination.protocols[protocol]) {
      return { ok: false, reason: 'no-protocol', message: `destination ${r.id} has no ${protocol}` };
    }
    return { ok: true, destination, source: r.source };
  }
}
