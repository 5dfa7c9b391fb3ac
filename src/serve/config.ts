/**
 * The configuration of `sievert serve`: one TOML file, every key with a default, so that no
 * file at all runs on embedded defaults in ./sievert-data. docs/serve.md lists the keys.
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import {
  ConfigError,
  configIssue,
  duration,
  inFile,
  readTomlFile,
  size,
  stringList,
} from '../config/index.js';
import { AUTH_MECHANISMS, sendsSecret } from '../auth/index.js';
import { parseBind, type TlsMode } from '../net/index.js';
import type { Quota } from '../store/types.js';

const DOCS = 'docs/serve.md';

const mechanism = z.enum(AUTH_MECHANISMS);

const fileSchema = z.strictObject({
  data_dir: z.string().min(1).default('./sievert-data'),
  store: z
    .strictObject({
      /** Default: `sqlite:<data_dir>/sievert.db`. */
      url: z.string().min(1).optional(),
    })
    .prefault({}),
  auth: z
    .strictObject({
      /** A Dovecot passwd-file; without one, users come from the store (`sievert user add`). */
      passwd_file: z.string().optional(),
      master_passwd_file: z.string().optional(),
      plaintext_without_tls: z.boolean().default(false),
      mechanisms: z.array(mechanism).optional(),
      /** First failed login's delay per client address; it doubles per failure up to `failure_delay_max`. */
      failure_delay: duration.default(2_000),
      failure_delay_max: duration.default(15_000),
      external: z.boolean().default(false),
      /** CA certificates that sign client certificates for EXTERNAL. */
      client_ca: z.string().optional(),
      oauth: z
        .strictObject({
          jwks_file: z.string().optional(),
          jwks_url: z.string().url().optional(),
          hs256_secret: z.string().optional(),
          issuer: z.string().optional(),
          audience: z.string().optional(),
          username_claim: z.string().optional(),
          introspection_url: z.string().url().optional(),
          client_id: z.string().optional(),
          client_secret: z.string().optional(),
        })
        .optional(),
    })
    .prefault({}),
  managesieve: z
    .strictObject({
      enabled: z.boolean().default(true),
      listen: stringList.default(['127.0.0.1:4190']),
      tls: z.enum(['starttls', 'implicit', 'plain']).default('starttls'),
      cert: z.string().optional(),
      key: z.string().optional(),
      implementation: z.string().optional(),
      max_scripts: z.number().int().nonnegative().default(0),
      max_script_size: size.default(1024 * 1024),
      max_storage: size.default(0),
      max_line: size.default(8192),
      preauth_timeout: duration.default(60_000),
      idle_timeout: duration.default(30 * 60_000),
      max_bad_commands: z.number().int().positive().default(10),
      max_connections: z.number().int().positive().default(1000),
      max_connections_per_ip: z.number().int().positive().default(50),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    })
    .prefault({}),
});

type FileConfig = z.infer<typeof fileSchema>;

export interface ServeConfig {
  /** Absolute. */
  dataDir: string;
  storeUrl: string;
  auth: {
    passwdFile?: string;
    masterPasswdFile?: string;
    plaintextWithoutTls: boolean;
    mechanisms?: FileConfig['auth']['mechanisms'];
    failureDelayMs: number;
    failureDelayMaxMs: number;
    external: boolean;
    clientCa?: string;
    oauth?: NonNullable<FileConfig['auth']['oauth']>;
  };
  managesieve: {
    enabled: boolean;
    listen: string[];
    tls: TlsMode;
    /** Absent: a self-signed certificate is generated into `<data_dir>/tls/`. */
    cert?: string;
    key?: string;
    implementation?: string;
    quota: Quota;
    maxLine: number;
    preauthTimeoutMs: number;
    idleTimeoutMs: number;
    maxBadCommands: number;
    maxConnections: number;
    maxConnectionsPerAddress: number;
  };
  logLevel: FileConfig['log']['level'];
}

/** Validates a parsed TOML document; relative paths are resolved against `baseDir`. */
export function buildServeConfig(doc: unknown, baseDir: string): ServeConfig {
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) throw configIssue(parsed.error, doc, DOCS);
  const c = parsed.data;
  const path = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const dataDir = path(c.data_dir);

  let storeUrl = c.store.url ?? `sqlite:${resolve(dataDir, 'sievert.db')}`;
  if (storeUrl.startsWith('sqlite:')) storeUrl = `sqlite:${path(storeUrl.slice('sqlite:'.length))}`;
  else if (!/^postgres(ql)?:\/\//.test(storeUrl))
    throw new ConfigError(
      'store.url',
      'expected "sqlite:PATH" or "postgres://user:password@host:port/database"',
    );

  const m = c.managesieve;
  m.listen.forEach((b, i) => {
    if (!parseBind(b))
      throw new ConfigError(`managesieve.listen[${i}]`, `expected "host:port", got ${JSON.stringify(b)}`);
  });
  if ((m.cert === undefined) !== (m.key === undefined))
    throw new ConfigError(
      m.cert === undefined ? 'managesieve.cert' : 'managesieve.key',
      'cert and key go together',
    );

  // RFC 5804 §1.7: a server offers at least one SASL mechanism or STARTTLS.
  if (
    m.enabled &&
    m.tls === 'plain' &&
    !c.auth.plaintext_without_tls &&
    c.auth.mechanisms !== undefined &&
    c.auth.mechanisms.every(sendsSecret)
  )
    throw new ConfigError(
      'managesieve.tls',
      'a "plain" listener would offer no mechanism: set auth.plaintext_without_tls = true, add SCRAM-SHA-256 to auth.mechanisms, or use "starttls"',
    );
  const o = c.auth.oauth;
  if (o) {
    if (!o.jwks_file && !o.jwks_url && !o.hs256_secret && !o.introspection_url)
      throw new ConfigError(
        'auth.oauth',
        'give jwks_file, jwks_url, hs256_secret or introspection_url to check bearer tokens',
      );
    if (o.jwks_file) o.jwks_file = path(o.jwks_file);
  }
  if (c.auth.external && c.auth.client_ca === undefined)
    throw new ConfigError(
      'auth.client_ca',
      'required with external = true: the CA that signs client certificates',
    );
  if (c.auth.external && m.tls === 'plain')
    throw new ConfigError('auth.external', 'needs TLS: managesieve.tls is "plain"');
  if (c.auth.failure_delay_max < c.auth.failure_delay)
    throw new ConfigError('auth.failure_delay_max', 'must not be less than auth.failure_delay');

  return {
    dataDir,
    storeUrl,
    auth: {
      passwdFile: c.auth.passwd_file === undefined ? undefined : path(c.auth.passwd_file),
      masterPasswdFile: c.auth.master_passwd_file === undefined ? undefined : path(c.auth.master_passwd_file),
      plaintextWithoutTls: c.auth.plaintext_without_tls,
      mechanisms: c.auth.mechanisms,
      failureDelayMs: c.auth.failure_delay,
      failureDelayMaxMs: c.auth.failure_delay_max,
      external: c.auth.external,
      clientCa: c.auth.client_ca === undefined ? undefined : path(c.auth.client_ca),
      oauth: o,
    },
    managesieve: {
      enabled: m.enabled,
      listen: m.listen,
      tls: m.tls,
      cert: m.cert === undefined ? undefined : path(m.cert),
      key: m.key === undefined ? undefined : path(m.key),
      implementation: m.implementation,
      quota: { maxScripts: m.max_scripts, maxScriptSize: m.max_script_size, maxStorage: m.max_storage },
      maxLine: m.max_line,
      preauthTimeoutMs: m.preauth_timeout,
      idleTimeoutMs: m.idle_timeout,
      maxBadCommands: m.max_bad_commands,
      maxConnections: m.max_connections,
      maxConnectionsPerAddress: m.max_connections_per_ip,
    },
    logLevel: c.log.level,
  };
}

/** The configuration from FILE, or the embedded defaults (relative to the working directory). */
export function loadServeConfig(file: string | undefined): ServeConfig {
  if (file === undefined) return buildServeConfig({}, process.cwd());
  const doc = readTomlFile(file);
  return inFile(file, () => buildServeConfig(doc, resolve(file, '..')));
}
