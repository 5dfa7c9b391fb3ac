/**
 * The configuration of `sievert serve`: one TOML file, every key with a default, so that no
 * file at all runs on embedded defaults in ./sievert-data. docs/serve.md lists the keys.
 */
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import {
  ConfigError,
  configIssue,
  duration,
  inFile,
  logSection,
  readTomlFile,
  size,
  stringList,
} from '../config/index.js';
import { AUTH_MECHANISMS, sendsSecret } from '../auth/index.js';
import { isLoopback, parseBind, unixSocketPath, type TlsMode } from '../net/index.js';
import type { EditheaderPolicy, ScoreTestConfig, SieveHost } from '../sieve/index.js';
import { resolveStoreUrl, type Quota } from '../store/index.js';

const DOCS = 'docs/serve.md';

const mechanism = z.enum(AUTH_MECHANISMS);

/** Header field names (RFC 5322 §3.6.8: printable US-ASCII but the colon). */
const fieldNames = z.array(
  z
    .string()
    .regex(/^[\x21-\x39\x3b-\x7e]+$/, 'must be a header field name (printable ASCII, no colon or space)'),
);

/** spamtest / virustest (RFC 5235): which header holds the verdict and how it reads. */
const scoreTest = z.strictObject({
  header: z.string().min(1),
  /** A regular expression whose first group is the value read from the field. */
  pattern: z.string().optional(),
  format: z.enum(['score', 'text', 'yesno', 'length']).default('score'),
  /** score/length: the score meaning "certainly spam"; a number, or a header with max_pattern. */
  max: z.union([z.number().positive(), z.string().min(1)]).optional(),
  max_pattern: z.string().optional(),
  /** text: patterns to values 0–10, tried in order. */
  map: z.array(z.strictObject({ pattern: z.string(), value: z.number().int().min(0).max(10) })).optional(),
});

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
      /**
       * Worker threads that verify slow password hashes (SHA512-CRYPT, bcrypt, Argon2, PBKDF2)
       * off the event loop; 0 verifies on the main thread. Default: the number of CPUs, at most 4.
       */
      password_workers: z.number().int().min(0).max(64).optional(),
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
  lmtp: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** "host:port" or "unix:PATH". */
      listen: stringList.default(['127.0.0.1:2424']),
      /** Default: `maildir:<data_dir>/mail/%d/%n/Maildir`. */
      mail_location: z.string().min(1).optional(),
      /** Characters separating user and detail ("alice+lists@…"); "" for none. */
      recipient_delimiter: z.string().default('+'),
      /** How an address names a user, tried in order: "%u" the address, "%n" its local part. */
      user_lookup: z
        .array(z.enum(['%u', '%n']))
        .min(1)
        .default(['%u', '%n']),
      mailbox_separator: z.enum(['.', '/']).default('.'),
      mailbox_encoding: z.enum(['mutf7', 'utf8']).default('mutf7'),
      /** fileinto without :create to a folder that does not exist. */
      missing_mailbox: z.enum(['inbox', 'create']).default('inbox'),
      fsync: z.boolean().default(true),
      hostname: z.string().min(1).optional(),
      postmaster: z.string().min(1).optional(),
      error_notices: z.boolean().default(true),
      /** special-use (RFC 8579): the folder of each special-use attribute; replaces the defaults. */
      special_use: z.record(z.string(), z.string()).optional(),
      max_message_size: size.default(50 * 1024 * 1024),
      max_recipients: z.number().int().positive().default(100),
      max_line: size.default(4096),
      idle_timeout: duration.default(5 * 60_000),
      max_connections: z.number().int().positive().default(100),
    })
    .prefault({}),
  smtp: z
    .strictObject({
      /** "host:port" of the relay for redirect, vacation, reject and notify; "" for none. */
      relay: z.string().default('127.0.0.1:25'),
      tls: z.enum(['none', 'opportunistic', 'starttls', 'tls']).default('opportunistic'),
      verify_certificate: z.boolean().default(true),
      timeout: duration.default(30_000),
    })
    .prefault({}),
  sieve: z
    .strictObject({
      /** Global scripts run before / after the user's (files, or folders of *.sieve files). */
      before: stringList.default([]),
      after: stringList.default([]),
      /** The folder `include :global` reads "<name>.sieve" from. */
      global_dir: z.string().optional(),
      max_redirects: z.number().int().nonnegative().default(4),
      redirect_envelope_from: z.string().min(1).default('sender'),
      vacation_min_period: duration.default(24 * 3600_000),
      vacation_default_period: duration.default(7 * 24 * 3600_000),
      vacation_max_period: duration.default(90 * 24 * 3600_000),
      spamtest: scoreTest.optional(),
      virustest: scoreTest.optional(),
      /**
       * editheader (RFC 5293 §6): header fields scripts may neither add nor delete, may not add,
       * may not delete (Pigeonhole's sieve_editheader_protected, _forbid_add, _forbid_delete);
       * Received and Auto-Submitted are always protected.
       */
      editheader_protected: fieldNames.default([]),
      editheader_forbid_add: fieldNames.default([]),
      editheader_forbid_delete: fieldNames.default([]),
    })
    .prefault({}),
  web: z
    .strictObject({
      enabled: z.boolean().default(false),
      listen: stringList.default(['127.0.0.1:8080']),
      /** HTTPS with these; plain HTTP without (logins then only from loopback, see docs/web.md). */
      cert: z.string().optional(),
      key: z.string().optional(),
      session_timeout: duration.default(30 * 60_000),
      max_body: size.default(2 * 1024 * 1024),
      /** "host:port" of a ManageSieve server whose scripts and users the editor uses instead of the store's. */
      managesieve: z.string().optional(),
      managesieve_tls: z.enum(['starttls', 'tls', 'none']).default('starttls'),
      /** PEM CA certificates that sign the server's certificate (a private CA); the system's otherwise. */
      managesieve_ca: z.string().optional(),
      managesieve_verify_certificate: z.boolean().default(true),
      /** Send passwords without TLS to a server that is not on a loopback address. */
      managesieve_allow_cleartext: z.boolean().default(false),
    })
    .prefault({}),
  log: logSection,
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
    passwordWorkers: number;
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
  lmtp: {
    enabled: boolean;
    listen: string[];
    /** "maildir:" and an absolute path template. */
    mailLocation: string;
    recipientDelimiter: string;
    userLookup: ('%u' | '%n')[];
    mailboxSeparator: '.' | '/';
    mailboxEncoding: 'mutf7' | 'utf8';
    missingMailbox: 'inbox' | 'create';
    fsync: boolean;
    hostname?: string;
    postmaster?: string;
    errorNotices: boolean;
    /** The folder of each special-use attribute (RFC 6154), by attribute as written. */
    specialUse: Record<string, string>;
    maxMessageSize: number;
    maxRecipients: number;
    maxLine: number;
    idleTimeoutMs: number;
    maxConnections: number;
  };
  smtp: {
    relay: { host: string; port: number } | null;
    tls: FileConfig['smtp']['tls'];
    verifyCertificate: boolean;
    timeoutMs: number;
  };
  sieve: {
    /** Absolute paths of files or folders. */
    before: string[];
    after: string[];
    globalDir?: string;
    maxRedirects: number;
    redirectEnvelopeFrom: string;
    /** Seconds. */
    vacation: { minPeriod: number; defaultPeriod: number; maxPeriod: number };
    spamtest?: ScoreTestConfig;
    virustest?: ScoreTestConfig;
    /** Absent when no field is configured. */
    editheader?: EditheaderPolicy;
  };
  web: {
    enabled: boolean;
    listen: string[];
    cert?: string;
    key?: string;
    sessionTimeoutMs: number;
    maxBody: number;
    /** Present with `web.managesieve`: the editor works in front of that server. */
    remote?: WebRemoteConfig;
  };
  logLevel: FileConfig['log']['level'];
}

/** `[web] managesieve…`: the ManageSieve server the editor works in front of. */
export interface WebRemoteConfig {
  host: string;
  port: number;
  tls: TlsMode;
  /** Absolute path of a PEM CA bundle. */
  ca?: string;
  verifyCertificate: boolean;
  allowCleartext: boolean;
}

function webRemoteConfig(w: FileConfig['web'], path: (p: string) => string): WebRemoteConfig | undefined {
  if (w.managesieve === undefined) return undefined;
  const bind = parseBind(w.managesieve);
  if (!bind || w.managesieve.startsWith(':') || bind.port === 0)
    throw new ConfigError(
      'web.managesieve',
      `expected "host:port" of a ManageSieve server (e.g. "imap.example.com:4190"), got ${JSON.stringify(w.managesieve)}`,
    );
  const tls = ({ starttls: 'starttls', tls: 'implicit', none: 'plain' } as const)[w.managesieve_tls];
  if (tls === 'plain' && !w.managesieve_allow_cleartext && !isLoopback(bind.host))
    throw new ConfigError(
      'web.managesieve_tls',
      `"none" would send passwords in cleartext to ${bind.host}, which is not a loopback address: use "starttls" or "tls", or set web.managesieve_allow_cleartext = true`,
    );
  return {
    host: bind.host,
    port: bind.port,
    tls,
    ca: w.managesieve_ca === undefined ? undefined : path(w.managesieve_ca),
    verifyCertificate: w.managesieve_verify_certificate,
    allowCleartext: w.managesieve_allow_cleartext,
  };
}

function scoreTestConfig(t: z.infer<typeof scoreTest>, key: string): ScoreTestConfig {
  for (const [k, p] of [
    ['pattern', t.pattern],
    ['max_pattern', t.max_pattern],
    ...(t.map ?? []).map((m, i) => [`map[${i}].pattern`, m.pattern] as const),
  ] as const) {
    if (p === undefined) continue;
    try {
      new RegExp(p, 'u');
    } catch (e) {
      throw new ConfigError(`${key}.${k}`, `not a regular expression: ${(e as Error).message}`);
    }
  }
  const base = { header: t.header, ...(t.pattern !== undefined ? { pattern: t.pattern } : {}) };
  switch (t.format) {
    case 'yesno':
      return { ...base, format: { kind: 'yesno' } };
    case 'text':
      if (!t.map?.length)
        throw new ConfigError(`${key}.map`, 'format "text" needs a map of patterns to values');
      return { ...base, format: { kind: 'text', map: t.map } };
    case 'length':
      if (typeof t.max !== 'number') throw new ConfigError(`${key}.max`, 'format "length" needs a number');
      return { ...base, format: { kind: 'length', max: t.max } };
    case 'score':
      if (t.max === undefined)
        throw new ConfigError(`${key}.max`, 'format "score" needs max (a number or a header name)');
      return {
        ...base,
        format: {
          kind: 'score',
          max:
            typeof t.max === 'number'
              ? t.max
              : { header: t.max, ...(t.max_pattern !== undefined ? { pattern: t.max_pattern } : {}) },
        },
      };
  }
}

/**
 * `[lmtp] special_use` without a value: the folders Dovecot's usual namespace configuration gives
 * the RFC 6154 attributes (its example config names \Drafts, \Junk, \Sent, \Trash and \Archive
 * after themselves).
 */
export const DEFAULT_SPECIAL_USE: Readonly<Record<string, string>> = {
  '\\Drafts': 'Drafts',
  '\\Junk': 'Junk',
  '\\Sent': 'Sent',
  '\\Trash': 'Trash',
  '\\Archive': 'Archive',
};

/** RFC 6154 §6: use-attr-ext = "\" atom (RFC 3501 §9: no atom-specials, CTLs or 8-bit). */
// eslint-disable-next-line no-control-regex -- CTL is among the atom-specials
const SPECIAL_USE_ATTRIBUTE = /^\\[^(){ \x00-\x1f\x7f%*"\\\]\u0080-\uffff]+$/;

function specialUseFolders(table: Record<string, string> | undefined): Record<string, string> {
  if (table === undefined) return { ...DEFAULT_SPECIAL_USE };
  const seen = new Set<string>();
  for (const [use, folder] of Object.entries(table)) {
    if (!SPECIAL_USE_ATTRIBUTE.test(use))
      throw new ConfigError(
        'lmtp.special_use',
        `${JSON.stringify(use)} is not a special-use attribute: a backslash and a word, such as "\\\\Junk"`,
      );
    if (seen.has(use.toLowerCase()))
      throw new ConfigError(
        'lmtp.special_use',
        `${JSON.stringify(use)} is given twice (case does not count)`,
      );
    seen.add(use.toLowerCase());
    if (folder.trim() === '')
      throw new ConfigError('lmtp.special_use', `the folder of ${JSON.stringify(use)} is empty`);
  }
  return { ...table };
}

/** Validates a parsed TOML document; relative paths are resolved against `baseDir`. */
export function buildServeConfig(doc: unknown, baseDir: string): ServeConfig {
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) throw configIssue(parsed.error, doc, DOCS);
  const c = parsed.data;
  const path = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const dataDir = path(c.data_dir);

  let storeUrl: string;
  try {
    storeUrl = resolveStoreUrl(c.store.url ?? `sqlite:${resolve(dataDir, 'sievert.db')}`, baseDir);
  } catch (e) {
    throw new ConfigError('store.url', (e as Error).message.replace(/^store\.url: /, ''));
  }

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

  const w = c.web;
  w.listen.forEach((b, i) => {
    if (!parseBind(b))
      throw new ConfigError(`web.listen[${i}]`, `expected "host:port", got ${JSON.stringify(b)}`);
  });
  if ((w.cert === undefined) !== (w.key === undefined))
    throw new ConfigError(w.cert === undefined ? 'web.cert' : 'web.key', 'cert and key go together');
  if (w.session_timeout < 60_000) throw new ConfigError('web.session_timeout', 'must be at least "1m"');
  if (w.max_body < 1024) throw new ConfigError('web.max_body', 'must be at least 1024 octets');
  const webRemote = webRemoteConfig(w, path);

  const l = c.lmtp;
  const lmtpListen = l.listen.map((b, i) => {
    const socket = unixSocketPath(b);
    if (socket !== undefined) return `unix:${path(socket)}`;
    if (!parseBind(b))
      throw new ConfigError(
        `lmtp.listen[${i}]`,
        `expected "host:port" or "unix:PATH", got ${JSON.stringify(b)}`,
      );
    return b;
  });
  // RFC 5321 §4.5.3.1.4: a server takes command lines of 512 octets with the CRLF.
  if (l.max_line < 510) throw new ConfigError('lmtp.max_line', 'must be at least 510 (RFC 5321 §4.5.3.1.4)');
  const location = l.mail_location ?? `maildir:${resolve(dataDir, 'mail/%d/%n/Maildir')}`;
  if (!location.startsWith('maildir:') || location.length === 'maildir:'.length)
    throw new ConfigError('lmtp.mail_location', `expected "maildir:PATH", got ${JSON.stringify(location)}`);
  let relay: ServeConfig['smtp']['relay'] = null;
  if (c.smtp.relay !== '') {
    const bind = parseBind(c.smtp.relay);
    if (!bind)
      throw new ConfigError('smtp.relay', `expected "host:port" or "", got ${JSON.stringify(c.smtp.relay)}`);
    relay = { host: bind.host, port: bind.port };
  }
  const sv = c.sieve;
  const seconds = (ms: number): number => Math.round(ms / 1000);
  if (sv.vacation_min_period > sv.vacation_default_period)
    throw new ConfigError('sieve.vacation_min_period', 'must not be more than vacation_default_period');
  if (sv.vacation_default_period > sv.vacation_max_period)
    throw new ConfigError('sieve.vacation_max_period', 'must not be less than vacation_default_period');

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
      passwordWorkers: c.auth.password_workers ?? Math.min(4, availableParallelism()),
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
    lmtp: {
      enabled: l.enabled,
      listen: lmtpListen,
      mailLocation: `maildir:${path(location.slice('maildir:'.length))}`,
      recipientDelimiter: l.recipient_delimiter,
      userLookup: l.user_lookup,
      mailboxSeparator: l.mailbox_separator,
      mailboxEncoding: l.mailbox_encoding,
      missingMailbox: l.missing_mailbox,
      fsync: l.fsync,
      hostname: l.hostname,
      postmaster: l.postmaster,
      errorNotices: l.error_notices,
      specialUse: specialUseFolders(l.special_use),
      maxMessageSize: l.max_message_size,
      maxRecipients: l.max_recipients,
      maxLine: l.max_line,
      idleTimeoutMs: l.idle_timeout,
      maxConnections: l.max_connections,
    },
    smtp: {
      relay,
      tls: c.smtp.tls,
      verifyCertificate: c.smtp.verify_certificate,
      timeoutMs: c.smtp.timeout,
    },
    sieve: {
      before: sv.before.map(path),
      after: sv.after.map(path),
      globalDir: sv.global_dir === undefined ? undefined : path(sv.global_dir),
      maxRedirects: sv.max_redirects,
      redirectEnvelopeFrom: sv.redirect_envelope_from,
      vacation: {
        minPeriod: seconds(sv.vacation_min_period),
        defaultPeriod: seconds(sv.vacation_default_period),
        maxPeriod: seconds(sv.vacation_max_period),
      },
      spamtest: sv.spamtest ? scoreTestConfig(sv.spamtest, 'sieve.spamtest') : undefined,
      virustest: sv.virustest ? scoreTestConfig(sv.virustest, 'sieve.virustest') : undefined,
      ...editheaderPolicy(sv),
    },
    web: {
      enabled: w.enabled,
      listen: w.listen,
      cert: w.cert === undefined ? undefined : path(w.cert),
      key: w.key === undefined ? undefined : path(w.key),
      sessionTimeoutMs: w.session_timeout,
      maxBody: w.max_body,
      ...(webRemote ? { remote: webRemote } : {}),
    },
    logLevel: c.log.level,
  };
}

/**
 * What the [sieve] section gives a script's host: vacation periods, spamtest/virustest and
 * editheader's protected fields. Delivery and `sievert test --config` both take them from here.
 */
export function sieveHostSettings(
  sieve: ServeConfig['sieve'],
): Pick<SieveHost, 'vacationPolicy' | 'editheaderPolicy' | 'spamtest' | 'virustest'> {
  return {
    vacationPolicy: sieve.vacation,
    ...(sieve.editheader ? { editheaderPolicy: sieve.editheader } : {}),
    ...(sieve.spamtest ? { spamtest: sieve.spamtest } : {}),
    ...(sieve.virustest ? { virustest: sieve.virustest } : {}),
  };
}

/** The configuration from FILE, or the embedded defaults (relative to the working directory). */
export function loadServeConfig(file: string | undefined): ServeConfig {
  if (file === undefined) return buildServeConfig({}, process.cwd());
  const doc = readTomlFile(file);
  return inFile(file, () => buildServeConfig(doc, resolve(file, '..')));
}

function editheaderPolicy(sv: FileConfig['sieve']): { editheader?: EditheaderPolicy } {
  const forbidAdd = [...sv.editheader_protected, ...sv.editheader_forbid_add];
  const forbidDelete = [...sv.editheader_protected, ...sv.editheader_forbid_delete];
  return forbidAdd.length || forbidDelete.length ? { editheader: { forbidAdd, forbidDelete } } : {};
}
