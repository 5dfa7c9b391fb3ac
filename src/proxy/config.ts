import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import {
  ConfigError,
  configIssue,
  duration,
  inFile,
  logSection,
  parseTomlText,
  readTomlFile,
  stringList,
} from '../config/index.js';
export { ConfigError };
import { parseCidr, type Cidr, parseBind, type TlsMode } from '../net/index.js';

export type Protocol = 'imap' | 'pop3' | 'managesieve' | 'submission';
export const protocols: readonly Protocol[] = ['imap', 'pop3', 'managesieve', 'submission'];

const tlsMode = z.enum(['plain', 'starttls', 'implicit']);
const protocol = z.enum(['imap', 'pop3', 'managesieve', 'submission']);
const port = z.number().int().min(0).max(65535);

const listenerSchema = z.strictObject({
  protocol,
  bind: stringList,
  tls: tlsMode.default('plain'),
  cert: z.string().optional(),
  key: z.string().optional(),
  sni: z.array(z.strictObject({ names: stringList, cert: z.string(), key: z.string() })).default([]),
  proxy_protocol: z.enum(['off', 'optional', 'required']).default('off'),
  proxy_trusted: stringList.default([]),
  proxy_wait: duration.default(200),
  max_connections: z.number().int().positive().default(10_000),
  max_connections_per_ip: z.number().int().positive().default(100),
  preauth_timeout: duration.default(60_000),
  max_auth_attempts: z.number().int().positive().default(3),
});

const destinationProtocolSchema = z.strictObject({ port, tls: tlsMode.default('plain') });

const destinationSchema = z.strictObject({
  host: z.string().min(1),
  tls_server_name: z.string().optional(),
  tls_allow_invalid_certs: z.boolean().default(false),
  tls_ca: z.string().optional(),
  tls_pin_sha256: stringList.default([]),
  tls_client_cert: z.string().optional(),
  tls_client_key: z.string().optional(),
  forwarding: z.enum(['xclient', 'proxy', 'none']).default('none'),
  allow_plaintext_auth: z.boolean().default(false),
  master_user: z.string().optional(),
  master_password: z.string().optional(),
  connect_timeout: duration.default(10_000),
  timeout: duration.default(30_000),
  circuit_breaker_failures: z.number().int().positive().default(5),
  circuit_breaker_cooldown: duration.default(30_000),
  protocol: z.strictObject({
    imap: destinationProtocolSchema.optional(),
    pop3: destinationProtocolSchema.optional(),
    managesieve: destinationProtocolSchema.optional(),
    submission: destinationProtocolSchema.optional(),
  }),
});

const mappingSchema = z.strictObject({
  source: z.enum(['none', 'file', 'sql', 'http']).default('none'),
  normalize: z.enum(['none', 'lowercase']).default('lowercase'),
  cache_ttl: duration.default(300_000),
  negative_cache_ttl: duration.default(60_000),
  cache_size: z.number().int().positive().default(100_000),
  timeout: duration.default(5_000),
  file: z.strictObject({ path: z.string(), reload_interval: duration.default(2_000) }).optional(),
  sql: z
    .strictObject({
      driver: z.enum(['sqlite', 'postgres']),
      url: z.string(),
      query: z.string().default('SELECT destination FROM proxy_routes WHERE identifier = $1'),
    })
    .optional(),
  http: z
    .strictObject({
      url: z.string().url(),
      bearer_token: z.string().optional(),
    })
    .optional(),
});

const saslList = z.array(z.enum(['PLAIN', 'LOGIN', 'OAUTHBEARER', 'XOAUTH2']));
const capabilitiesSchema = z.strictObject({
  imap: z
    .strictObject({
      capabilities: z
        .array(z.string())
        .default(['IMAP4rev1', 'SASL-IR', 'LOGIN-REFERRALS', 'ID', 'ENABLE', 'IDLE', 'LITERAL+']),
      auth_mechanisms: saslList.default(['PLAIN', 'LOGIN', 'OAUTHBEARER', 'XOAUTH2']),
      allow_plain_auth_without_tls: z.boolean().default(false),
      banner: z.string().default('sievert proxy ready.'),
    })
    .prefault({}),
  pop3: z
    .strictObject({
      capabilities: z
        .array(z.string())
        .default(['TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'AUTH-RESP-CODE']),
      auth_mechanisms: saslList.default(['PLAIN', 'LOGIN', 'OAUTHBEARER', 'XOAUTH2']),
      allow_plain_auth_without_tls: z.boolean().default(false),
      banner: z.string().default('sievert proxy ready.'),
    })
    .prefault({}),
  managesieve: z
    .strictObject({
      implementation: z.string().default('sievert proxy'),
      sieve_extensions: z
        .array(z.string())
        .default([
          'fileinto',
          'reject',
          'envelope',
          'encoded-character',
          'vacation',
          'subaddress',
          'comparator-i;ascii-numeric',
          'relational',
          'regex',
          'imap4flags',
          'copy',
          'include',
          'variables',
          'body',
          'enotify',
          'environment',
          'mailbox',
          'date',
          'index',
          'ihave',
          'duplicate',
        ]),
      /** RFC 5804 §1.7: advertised as NOTIFY when `enotify` is among the extensions. */
      notify_methods: z.array(z.string()).default(['mailto']),
      auth_mechanisms: saslList.default(['PLAIN', 'LOGIN', 'OAUTHBEARER', 'XOAUTH2']),
      allow_plain_auth_without_tls: z.boolean().default(false),
      banner: z.string().optional(),
    })
    .prefault({}),
  submission: z
    .strictObject({
      hostname: z.string().default('localhost'),
      ehlo_keywords: z
        .array(z.string())
        .default(['PIPELINING', '8BITMIME', 'ENHANCEDSTATUSCODES', 'SMTPUTF8', 'SIZE']),
      auth_mechanisms: saslList.default(['PLAIN', 'LOGIN', 'OAUTHBEARER', 'XOAUTH2']),
      allow_plain_auth_without_tls: z.boolean().default(false),
      banner: z.string().default('sievert proxy ESMTP ready'),
    })
    .prefault({}),
});

const fileSchema = z.strictObject({
  listener: z.record(z.string(), listenerSchema).default({}),
  destination: z.record(z.string(), destinationSchema).default({}),
  routing: z
    .strictObject({
      default_destination: z.string().optional(),
      master_user_separators: z.array(z.string().min(1)).default(['%']),
      on_mapping_failure: z.enum(['tempfail', 'default']).default('tempfail'),
    })
    .prefault({}),
  mapping: mappingSchema.prefault({}),
  capabilities: capabilitiesSchema.prefault({}),
  limits: z
    .strictObject({
      max_line: z.number().int().min(512).default(65_536),
      max_literal: z.number().int().min(0).default(65_536),
      auth_failure_delay: duration.default(1_000),
      auth_failure_max_delay: duration.default(15_000),
      auth_failure_window: duration.default(900_000),
      tls_handshake_timeout: duration.default(10_000),
      shutdown_timeout: duration.default(30_000),
      proxy_ttl: z.number().int().min(1).default(5),
    })
    .prefault({}),
  admin: z.strictObject({ bind: z.string(), bearer_token: z.string().min(1) }).optional(),
  log: logSection,
});

type FileConfig = z.output<typeof fileSchema>;

export interface ListenerConfig {
  id: string;
  protocol: Protocol;
  bind: string[];
  tls: TlsMode;
  certificates: { cert: Buffer; key: Buffer; serverNames?: string[] }[];
  proxyProtocol: 'off' | 'optional' | 'required';
  proxyTrusted: Cidr[];
  proxyWaitMs: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  preauthTimeoutMs: number;
  maxAuthAttempts: number;
}

export interface DestinationConfig {
  id: string;
  host: string;
  tls: {
    servername?: string;
    allowInvalidCerts: boolean;
    ca?: Buffer;
    pins: string[];
    cert?: Buffer;
    key?: Buffer;
  };
  forwarding: 'xclient' | 'proxy' | 'none';
  allowPlaintextAuth: boolean;
  master?: { user: string; password: string };
  connectTimeoutMs: number;
  timeoutMs: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  protocols: Partial<Record<Protocol, { port: number; tls: TlsMode }>>;
}

export type MappingConfig = FileConfig['mapping'];
export type CapabilitiesConfig = FileConfig['capabilities'];

/** The mapping key for a routing identifier (mapping.normalize): the same for lookups and the file. */
export function normalizeIdentifier(mapping: MappingConfig, identifier: string): string {
  return mapping.normalize === 'lowercase' ? identifier.toLowerCase() : identifier;
}

export interface ProxyConfig {
  listeners: ListenerConfig[];
  destinations: Map<string, DestinationConfig>;
  routing: {
    defaultDestination?: string;
    masterUserSeparators: string[];
    onMappingFailure: 'tempfail' | 'default';
  };
  /** Paths inside are absolute (resolved against the configuration file's folder). */
  mapping: MappingConfig;
  capabilities: CapabilitiesConfig;
  limits: {
    maxLine: number;
    maxLiteral: number;
    authFailureDelayMs: number;
    authFailureMaxDelayMs: number;
    authFailureWindowMs: number;
    tlsHandshakeTimeoutMs: number;
    shutdownTimeoutMs: number;
    proxyTtl: number;
  };
  admin?: { bind: string; bearerToken: string };
  logLevel: FileConfig['log']['level'];
}

/** Validates a parsed TOML document. `baseDir` resolves relative file paths. */
export function buildConfig(doc: unknown, baseDir: string): ProxyConfig {
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) throw configIssue(parsed.error, doc, 'docs/proxy.md');
  const f = parsed.data;
  const path = (p: string): string => resolve(baseDir, p);
  const read = (key: string, p: string): Buffer => {
    try {
      return readFileSync(path(p));
    } catch (e) {
      throw new ConfigError(key, `cannot read ${p}: ${(e as Error).message}`);
    }
  };

  const listeners: ListenerConfig[] = [];
  for (const [id, l] of Object.entries(f.listener)) {
    const k = `listener.${id}`;
    l.bind.forEach((b, i) => {
      if (!parseBind(b))
        throw new ConfigError(`${k}.bind[${i}]`, `expected "host:port", got ${JSON.stringify(b)}`);
    });
    const proxyTrusted = l.proxy_trusted.map((t, i) => {
      const c = parseCidr(t);
      if (!c)
        throw new ConfigError(
          `${k}.proxy_trusted[${i}]`,
          `expected an address or network, got ${JSON.stringify(t)}`,
        );
      return c;
    });
    if (l.proxy_protocol !== 'off' && proxyTrusted.length === 0) {
      throw new ConfigError(`${k}.proxy_trusted`, 'PROXY protocol needs the networks it is accepted from');
    }
    const certificates: ListenerConfig['certificates'] = [];
    if (l.cert !== undefined || l.key !== undefined) {
      if (l.cert === undefined) throw new ConfigError(`${k}.cert`, 'required with key');
      if (l.key === undefined) throw new ConfigError(`${k}.key`, 'required with cert');
      certificates.push({ cert: read(`${k}.cert`, l.cert), key: read(`${k}.key`, l.key) });
    }
    l.sni.forEach((s, i) =>
      certificates.push({
        cert: read(`${k}.sni[${i}].cert`, s.cert),
        key: read(`${k}.sni[${i}].key`, s.key),
        serverNames: s.names,
      }),
    );
    if (l.tls !== 'plain' && certificates.length === 0) {
      throw new ConfigError(`${k}.cert`, `required for tls = "${l.tls}"`);
    }
    listeners.push({
      id,
      protocol: l.protocol,
      bind: l.bind,
      tls: l.tls,
      certificates,
      proxyProtocol: l.proxy_protocol,
      proxyTrusted,
      proxyWaitMs: l.proxy_wait,
      maxConnections: l.max_connections,
      maxConnectionsPerIp: l.max_connections_per_ip,
      preauthTimeoutMs: l.preauth_timeout,
      maxAuthAttempts: l.max_auth_attempts,
    });
  }

  const ourPorts = new Set(
    listeners.flatMap((l) => l.bind.map((b) => parseBind(b)!.port)).filter((p) => p !== 0),
  );
  const destinations = new Map<string, DestinationConfig>();
  for (const [id, d] of Object.entries(f.destination)) {
    const k = `destination.${id}`;
    const protos: DestinationConfig['protocols'] = {};
    for (const p of protocols) {
      const dp = d.protocol[p];
      if (!dp) continue;
      protos[p] = dp;
      if (dp.tls === 'plain' && !d.allow_plaintext_auth) {
        throw new ConfigError(
          `${k}.protocol.${p}.tls`,
          'credentials would cross a plaintext backend leg; use "starttls" or "implicit", or set allow_plaintext_auth = true',
        );
      }
      if (dp.tls !== 'plain' && isIP(d.host) && !d.tls_server_name && d.tls_pin_sha256.length === 0) {
        throw new ConfigError(
          `${k}.tls_server_name`,
          `required when host is an IP address and TLS is used (protocol.${p})`,
        );
      }
      if (ourPorts.has(dp.port) && isLocalHost(d.host)) {
        throw new ConfigError(
          `${k}.protocol.${p}.port`,
          `${d.host}:${dp.port} is one of this proxy's own listeners`,
        );
      }
    }
    if (Object.keys(protos).length === 0)
      throw new ConfigError(`${k}.protocol`, 'declare at least one protocol');
    if ((d.master_user === undefined) !== (d.master_password === undefined)) {
      throw new ConfigError(
        `${k}.${d.master_user === undefined ? 'master_user' : 'master_password'}`,
        'master_user and master_password go together',
      );
    }
    if ((d.tls_client_cert === undefined) !== (d.tls_client_key === undefined)) {
      throw new ConfigError(`${k}.tls_client_cert`, 'tls_client_cert and tls_client_key go together');
    }
    destinations.set(id, {
      id,
      host: d.host,
      tls: {
        servername: d.tls_server_name ?? (isIP(d.host) ? undefined : d.host),
        allowInvalidCerts: d.tls_allow_invalid_certs,
        ca: d.tls_ca === undefined ? undefined : read(`${k}.tls_ca`, d.tls_ca),
        pins: d.tls_pin_sha256,
        cert: d.tls_client_cert === undefined ? undefined : read(`${k}.tls_client_cert`, d.tls_client_cert),
        key: d.tls_client_key === undefined ? undefined : read(`${k}.tls_client_key`, d.tls_client_key),
      },
      forwarding: d.forwarding,
      allowPlaintextAuth: d.allow_plaintext_auth,
      master: d.master_user === undefined ? undefined : { user: d.master_user, password: d.master_password! },
      connectTimeoutMs: d.connect_timeout,
      timeoutMs: d.timeout,
      breakerFailures: d.circuit_breaker_failures,
      breakerCooldownMs: d.circuit_breaker_cooldown,
      protocols: protos,
    });
  }

  const def = f.routing.default_destination;
  if (def !== undefined) {
    const d = destinations.get(def);
    if (!d)
      throw new ConfigError('routing.default_destination', `unknown destination ${JSON.stringify(def)}`);
    for (const l of listeners) {
      if (!d.protocols[l.protocol]) {
        throw new ConfigError(
          'routing.default_destination',
          `destination ${JSON.stringify(def)} has no protocol.${l.protocol} for listener.${l.id}`,
        );
      }
    }
  }
  if (f.routing.on_mapping_failure === 'default' && def === undefined) {
    throw new ConfigError('routing.on_mapping_failure', '"default" needs routing.default_destination');
  }

  const m = f.mapping;
  if (m.source !== 'none' && !m[m.source])
    throw new ConfigError(`mapping.${m.source}`, `required for source = "${m.source}"`);
  if (m.file) m.file.path = path(m.file.path);
  if (m.sql?.driver === 'sqlite') m.sql.url = path(m.sql.url);
  if (m.source === 'none' && def === undefined && listeners.length > 0) {
    throw new ConfigError('routing.default_destination', 'required when there is no mapping');
  }

  return {
    listeners,
    destinations,
    routing: {
      defaultDestination: def,
      masterUserSeparators: f.routing.master_user_separators,
      onMappingFailure: f.routing.on_mapping_failure,
    },
    mapping: m,
    capabilities: f.capabilities,
    limits: {
      maxLine: f.limits.max_line,
      maxLiteral: f.limits.max_literal,
      authFailureDelayMs: f.limits.auth_failure_delay,
      authFailureMaxDelayMs: f.limits.auth_failure_max_delay,
      authFailureWindowMs: f.limits.auth_failure_window,
      tlsHandshakeTimeoutMs: f.limits.tls_handshake_timeout,
      shutdownTimeoutMs: f.limits.shutdown_timeout,
      proxyTtl: f.limits.proxy_ttl,
    },
    admin: f.admin && { bind: f.admin.bind, bearerToken: f.admin.bearer_token },
    logLevel: f.log.level,
  };
}

function isLocalHost(host: string): boolean {
  return ['localhost', '127.0.0.1', '::1', '0.0.0.0', '::'].includes(host) || host.startsWith('127.');
}

export function parseConfigText(text: string, baseDir: string, file?: string): ProxyConfig {
  return inFile(file, () => buildConfig(parseTomlText(text, file), baseDir));
}

export function loadConfig(file: string): ProxyConfig {
  const doc = readTomlFile(file);
  return inFile(file, () => buildConfig(doc, dirname(resolve(file))));
}

/** Mapping entries that name undeclared destinations are refused at start and on reload. */
export function checkMappingDestinations(
  entries: Map<string, string>,
  config: ProxyConfig,
  key: string,
): void {
  for (const [ident, dest] of entries) {
    if (!config.destinations.has(dest)) {
      throw new ConfigError(
        key,
        `entry ${JSON.stringify(ident)} names unknown destination ${JSON.stringify(dest)}`,
      );
    }
  }
}
