/**
 * `sievert serve`: the ManageSieve server over the script store, with users from a passwd-file
 * or the store's own table. Runs until SIGTERM/SIGINT, then ends sessions and closes the store.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { serverLogger } from '../log.js';
import {
  createAuthenticator,
  createOAuthVerifier,
  PasswdFile,
  PasswordWorkers,
  StoreUserSource,
  type Authenticator,
  type OAuthOptions,
  type UserEntry,
  type UserSource,
} from '../auth/index.js';
import { ConfigError, EXIT_CONFIG, loadOrReport } from '../config/index.js';
import type { DeliveryRecipient } from '../deliver/index.js';
import { createDelivery } from '../deliver/setup.js';
import { startLmtp, type LmtpServer } from '../lmtp/index.js';
import { startManageSieve, type ManageSieveServer } from '../managesieve/index.js';
import { serverTlsOptions, untilStopSignal } from '../net/index.js';
import { createEngine } from '../sieve/index.js';
import { effectiveQuota, openStore, type Quota, type ScriptStore } from '../store/index.js';
import { VERSION } from '../version.js';
import { remoteBackend, startWeb, storeBackend, type WebServer } from '../web/index.js';
import { ensureSelfSignedCertificate } from './certificate.js';
import { loadServeConfig, type ServeConfig } from './config.js';

export { buildServeConfig, loadServeConfig, type ServeConfig } from './config.js';

export interface RunningServer {
  managesieve?: ManageSieveServer;
  lmtp?: LmtpServer;
  web?: WebServer;
  store: ScriptStore;
  close(deadlineMs?: number): Promise<void>;
}

function oauthOptions(o: NonNullable<ServeConfig['auth']['oauth']>, log: Logger): OAuthOptions {
  return {
    jwks: o.jwks_file ?? o.jwks_url,
    hmacSecret: o.hs256_secret,
    issuer: o.issuer,
    audience: o.audience,
    userClaim: o.username_claim,
    introspection: o.introspection_url
      ? { url: o.introspection_url, clientId: o.client_id, clientSecret: o.client_secret }
      : undefined,
    onError: (e) => log.warn({ event: 'oauth-keys', err: e.message }),
  };
}

/** Who the users are: the configured passwd-file, else the store's own table; and the master users. */
export async function userSources(config: ServeConfig, store: ScriptStore, log: Logger) {
  const onReloadError = (e: Error): void => log.error({ event: 'passwd-file-reload', err: e.message });
  const users: UserSource = config.auth.passwdFile
    ? await PasswdFile.open(config.auth.passwdFile, { onReloadError })
    : new StoreUserSource(store);
  const masters = config.auth.masterPasswdFile
    ? await PasswdFile.open(config.auth.masterPasswdFile, { master: true, onReloadError })
    : undefined;
  return { users, masters };
}

/**
 * The key SCRAM salts of PLAIN-stored passwords are derived from, kept in the data directory so
 * that a client which caches its SCRAM keys (RFC 5802 §5.1) still logs in after a restart.
 */
function scramSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'scram.key');
  try {
    const key = readFileSync(file);
    if (key.length === 32) return key;
  } catch {
    // First start: made below.
  }
  const key = randomBytes(32);
  writeFileSync(`${file}.tmp`, key, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return key;
}

/** Starts everything the configuration enables. */
export async function startServer(config: ServeConfig, logger?: Logger): Promise<RunningServer> {
  const log = logger ?? serverLogger(config.logLevel, 'sievert');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config.storeUrl);
  const workers =
    config.auth.passwordWorkers > 0 ? new PasswordWorkers(config.auth.passwordWorkers) : undefined;
  try {
    const { users, masters } = await userSources(config, store, log);
    const authenticator: Authenticator = createAuthenticator({
      users,
      masters,
      plaintextWithoutTls: config.auth.plaintextWithoutTls,
      mechanisms: config.auth.mechanisms,
      verifyPassword: workers?.verify,
      external: config.auth.external,
      oauth: config.auth.oauth ? createOAuthVerifier(oauthOptions(config.auth.oauth, log)) : undefined,
      scramSecret: scramSecret(config.dataDir),
      onError: (e, ctx) =>
        log.error({ event: 'auth-error', mechanism: ctx.mechanism, user: ctx.user, err: e.message }),
    });
    // One engine: ManageSieve's MAXREDIRECTS and delivery's redirect limit are the same setting.
    const engine = createEngine({ limits: { maxRedirects: config.sieve.maxRedirects } });
    const m = config.managesieve;
    // At login the authenticator hands over the entry it read; the web API looks it up.
    const quota = async (user: string, known?: UserEntry): Promise<Quota> => {
      const entry = known ?? (await users.lookup(user).catch(() => undefined));
      return effectiveQuota(m.quota, entry?.quota ?? {});
    };
    let managesieve: ManageSieveServer | undefined;
    if (m.enabled) {
      let tlsOptions;
      if (m.tls !== 'plain') {
        let cert = m.cert;
        let key = m.key;
        if (cert === undefined || key === undefined) {
          const made = await ensureSelfSignedCertificate(config.dataDir);
          ({ cert, key } = made);
          log.info(
            { event: 'certificate', cert, generated: made.generated, sha256: made.fingerprint },
            made.generated ? 'generated a self-signed certificate' : 'using the generated certificate',
          );
        }
        tlsOptions = serverTlsOptions(
          [{ cert: readFileSync(cert), key: readFileSync(key) }],
          config.auth.external && config.auth.clientCa ? readFileSync(config.auth.clientCa) : undefined,
        );
      }
      managesieve = await startManageSieve({
        listen: m.listen,
        tls: m.tls,
        tlsOptions,
        store,
        authenticator,
        engine,
        quota,
        implementation: m.implementation ?? `sievert ${VERSION}`,
        limits: {
          maxLine: m.maxLine,
          preauthTimeoutMs: m.preauthTimeoutMs,
          idleTimeoutMs: m.idleTimeoutMs,
          maxBadCommands: m.maxBadCommands,
          maxConnections: m.maxConnections,
          maxConnectionsPerAddress: m.maxConnectionsPerAddress,
          authFailureDelayMs: config.auth.failureDelayMs,
          authFailureMaxDelayMs: config.auth.failureDelayMaxMs,
        },
        logger: log.child({ component: 'managesieve' }),
      });
    }
    let lmtp: LmtpServer | undefined;
    if (config.lmtp.enabled) {
      const l = config.lmtp;
      const delivery = createDelivery(config, {
        store,
        users,
        engine,
        logger: log.child({ component: 'deliver' }),
      });
      try {
        lmtp = await startLmtp<DeliveryRecipient>(
          {
            listen: l.listen,
            hostname: l.hostname,
            maxMessageSize: l.maxMessageSize,
            maxRecipients: l.maxRecipients,
            maxLine: l.maxLine,
            idleTimeout: l.idleTimeoutMs,
            maxConnections: l.maxConnections,
            logger: log.child({ component: 'lmtp' }),
          },
          {
            recipient: async (address) => {
              const r = await delivery.resolve(address);
              return r
                ? { value: r }
                : { reply: { code: 550, enhanced: '5.1.1', text: `<${address}> unknown user` } };
            },
            deliver: (envelope, recipients, message) =>
              delivery.deliver(
                {
                  from: envelope.from,
                  lhlo: envelope.lhlo,
                  clientAddress: envelope.clientAddress,
                  sessionId: envelope.sessionId,
                },
                recipients.map((r) => r.value),
                message,
              ),
          },
        );
      } catch (e) {
        await managesieve?.close(0);
        throw e;
      }
    }
    let web: WebServer | undefined;
    if (config.web.enabled) {
      const w = config.web;
      try {
        const r = w.remote;
        const backend = r
          ? // In front of another ManageSieve server: its users, its scripts, its answers.
            remoteBackend({
              host: r.host,
              port: r.port,
              tls: r.tls,
              tlsOptions: {
                ca: r.ca === undefined ? undefined : readFileSync(r.ca),
                allowInvalidCerts: !r.verifyCertificate,
              },
              allowCleartext: r.allowCleartext,
              logger: log.child({ component: 'web' }),
            })
          : storeBackend({
              store,
              // Its own authenticator over the same users: the page sends a password (PLAIN),
              // whatever auth.mechanisms offers ManageSieve clients; the cleartext rule is the
              // web server's.
              authenticator: createAuthenticator({
                users,
                masters,
                plaintextWithoutTls: true,
                verifyPassword: workers?.verify,
                mechanisms: ['PLAIN'],
                onError: (e, ctx) => log.error({ event: 'auth-error', user: ctx.user, err: e.message }),
              }),
              quota,
            });
        web = await startWeb({
          listen: w.listen,
          backend,
          engine,
          tls:
            w.cert !== undefined && w.key !== undefined
              ? { cert: readFileSync(w.cert), key: readFileSync(w.key) }
              : undefined,
          allowCleartext: config.auth.plaintextWithoutTls,
          sessionTimeoutMs: w.sessionTimeoutMs,
          maxBody: w.maxBody,
          failureDelayMs: config.auth.failureDelayMs,
          failureDelayMaxMs: config.auth.failureDelayMaxMs,
          logger: log.child({ component: 'web' }),
        });
      } catch (e) {
        await Promise.all([managesieve?.close(0), lmtp?.close(0)]);
        throw e;
      }
    }
    const started = managesieve;
    return {
      managesieve,
      lmtp,
      web,
      store,
      close: async (deadlineMs?: number) => {
        await Promise.all([started?.close(deadlineMs), lmtp?.close(deadlineMs), web?.close()]);
        await Promise.all([store.close(), workers?.close()]);
      },
    };
  } catch (e) {
    await Promise.all([store.close(), workers?.close()]);
    throw e;
  }
}

/** `sievert serve [--config FILE] [--check]`; resolves to the exit code. */
export async function serveCommand(opts: { config?: string; check?: boolean }): Promise<number> {
  const config = loadOrReport(() => loadServeConfig(opts.config));
  if (config === undefined) return EXIT_CONFIG;
  if (opts.check) {
    process.stdout.write(`${opts.config ?? '(defaults)'}: ok\n`);
    return 0;
  }
  const log = serverLogger(config.logLevel, 'sievert');
  let server: RunningServer;
  try {
    server = await startServer(config, log);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${opts.config ? `${opts.config}: ` : ''}${e.message}\n`);
      return EXIT_CONFIG;
    }
    process.stderr.write(`error: cannot start: ${(e as Error).message}\n`);
    return 1;
  }
  await untilStopSignal();
  log.info({ event: 'shutdown' }, 'stopping');
  await server.close();
  return 0;
}
