// Delivery as `sievert serve` and `sievert deliver` configure it: global scripts read and compiled
// at start (a script that does not compile is a configuration error naming its key), the relay,
// and the Maildir settings.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { UserSource } from '../auth/index.js';
import { ConfigError } from '../config/index.js';
import { sieveHostSettings, type ServeConfig } from '../serve/config.js';
import { decodeScript, formatDiagnostic, type Engine } from '../sieve/index.js';
import type { ScriptStore } from '../store/index.js';
import { folderScript } from './include-folder.js';
import { Delivery, type GlobalScript } from './index.js';
import { createRelay } from './relay.js';

/** The files a before/after entry names: the file, or a folder's *.sieve files in byte order (as Pigeonhole). */
function scriptFiles(path: string, key: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new ConfigError(key, `cannot read ${path}: ${(e as Error).message}`);
  }
  if (!st.isDirectory()) return [path];
  return readdirSync(path)
    .filter((n) => n.endsWith('.sieve'))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((n) => join(path, n));
}

function compileGlobal(engine: Engine, file: string, key: string): GlobalScript {
  const decoded = decodeScript(readFileSync(file));
  if (!('text' in decoded)) {
    throw new ConfigError(key, `${file}:${decoded.line}:${decoded.column}: not valid UTF-8`);
  }
  const { program, diagnostics } = engine.compile(decoded.text);
  if (!program) {
    const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(file, d));
    throw new ConfigError(key, `the script does not compile:\n${errors.join('\n')}`);
  }
  return { id: `global:${file}`, program };
}

function globalScripts(engine: Engine, paths: readonly string[], key: string): GlobalScript[] {
  return paths.flatMap((p, i) =>
    scriptFiles(p, `${key}[${i}]`).map((f) => compileGlobal(engine, f, `${key}[${i}]`)),
  );
}

export interface DeliverySetup {
  readonly store: ScriptStore;
  readonly users: UserSource;
  readonly engine: Engine;
  readonly logger: Logger;
}

export function createDelivery(config: ServeConfig, setup: DeliverySetup): Delivery {
  const { lmtp, smtp, sieve } = config;
  const hostname = lmtp.hostname ?? osHostname();
  const globalDir = sieve.globalDir;
  const globalInclude = globalDir ? (name: string) => folderScript(globalDir, 'global', name) : undefined;
  return new Delivery(
    {
      hostname,
      mailLocation: lmtp.mailLocation,
      maildir: { separator: lmtp.mailboxSeparator, encoding: lmtp.mailboxEncoding, fsync: lmtp.fsync },
      missingMailbox: lmtp.missingMailbox,
      recipientDelimiter: lmtp.recipientDelimiter,
      userLookup: lmtp.userLookup,
      postmaster: lmtp.postmaster,
      redirectEnvelopeFrom: sieve.redirectEnvelopeFrom,
      ...sieveHostSettings(sieve),
      before: globalScripts(setup.engine, sieve.before, 'sieve.before'),
      after: globalScripts(setup.engine, sieve.after, 'sieve.after'),
      globalInclude,
      errorNotices: lmtp.errorNotices,
      specialUse: lmtp.specialUse,
    },
    {
      store: setup.store,
      users: setup.users,
      engine: setup.engine,
      logger: setup.logger,
      relay: smtp.relay
        ? createRelay({
            host: smtp.relay.host,
            port: smtp.relay.port,
            tls: smtp.tls,
            name: hostname,
            timeoutMs: smtp.timeoutMs,
            verifyCertificate: smtp.verifyCertificate,
          })
        : null,
    },
  );
}
