import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, runProgram, startServerProcess, type ServerProcess } from '../programs.js';
import { passwdFile, type PasswdUser } from './common.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SIEVERT_BIN = join(ROOT, 'bin', 'sievert.js');

export interface SievertServeOptions {
  /** A directory of the test's own; the config, users files and data dir go in it. */
  dir: string;
  users: readonly PasswdUser[];
  masters?: readonly PasswdUser[];
  /** `sqlite` (in the data dir, the default) or a `postgres://…` URL. */
  storeUrl?: string;
  tls?: 'starttls' | 'implicit' | 'plain';
  /** PEM files; generated into the data dir by sievert when absent. */
  cert?: string;
  key?: string;
  plaintextWithoutTls?: boolean;
  maxScripts?: number;
  maxScriptSize?: string;
  maxStorage?: string | number;
  /** `auth.failure_delay`: 0 by default here, since tests fail logins on purpose. */
  failureDelay?: string | number;
  /** More `[managesieve]` keys, e.g. `{ max_connections_per_ip: 200 }`. */
  managesieve?: Record<string, string | number | boolean>;
  /** `[log] level`; the default is the server's. */
  logLevel?: string;
  /** Write the server's output to this file instead of keeping it in memory. */
  logFile?: string;
  /** A port to reuse (a restart on the same data dir); a free one otherwise. */
  port?: number;
  /** The LMTP listener's port; none (0: any free port) by default. */
  lmtpPort?: number;
  /** More TOML appended (`[lmtp]`, `[smtp]`, `[sieve]` tables; the LMTP listen key is added to its `[lmtp]`). */
  extraToml?: string;
  /**
   * Run the server under this command (e.g. `unshare -m sh -c '… && exec "$@"' …`), which must end
   * by exec'ing the node command line appended to it, so that the recorded PID is the server's.
   */
  wrapper?: readonly string[];
}

export interface SievertServe {
  port: number;
  pid: number;
  configFile: string;
  dataDir: string;
  /** stdout and stderr so far (JSON log lines). */
  output(): string;
  /**
   * Stores `source` as the user's script `name` and makes it the active one, as an administrator
   * does (`sievert script put --activate`, on this server's config); throws with the command's
   * output when it fails.
   */
  putScript(user: string, name: string, source: string): Promise<void>;
  /** Kills with SIGKILL: a crash, for the crash-safety test. */
  crash(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

const tomlString = (s: string): string => JSON.stringify(s);

/** The TOML `sievert serve --config` reads (keys as the lead implements them). */
export function serveConfig(o: SievertServeOptions, port: number): string {
  const dataDir = join(o.dir, 'data');
  const lines = [
    `data_dir = ${tomlString(dataDir)}`,
    '[store]',
    `url = ${tomlString(o.storeUrl ?? `sqlite:${join(dataDir, 'sievert.db')}`)}`,
    '[auth]',
    `passwd_file = ${tomlString(join(o.dir, 'users'))}`,
    `master_passwd_file = ${tomlString(join(o.dir, 'masters'))}`,
    `plaintext_without_tls = ${o.plaintextWithoutTls ?? false}`,
    `failure_delay = ${JSON.stringify(o.failureDelay ?? 0)}`,
    '[managesieve]',
    `listen = [${tomlString(`127.0.0.1:${port}`)}]`,
    `tls = ${tomlString(o.tls ?? 'starttls')}`,
  ];
  if (o.cert) lines.push(`cert = ${tomlString(o.cert)}`);
  if (o.key) lines.push(`key = ${tomlString(o.key)}`);
  lines.push(`max_scripts = ${o.maxScripts ?? 0}`);
  lines.push(`max_script_size = ${tomlString(o.maxScriptSize ?? '1M')}`);
  const storage = o.maxStorage ?? 0;
  lines.push(`max_storage = ${typeof storage === 'number' ? storage : tomlString(storage)}`);
  for (const [k, v] of Object.entries(o.managesieve ?? {})) lines.push(`${k} = ${JSON.stringify(v)}`);
  if (o.logLevel) lines.push('[log]', `level = ${tomlString(o.logLevel)}`);
  // The LMTP listener goes into the [lmtp] table of extraToml when it has one.
  const lmtpListen = `listen = [${tomlString(`127.0.0.1:${o.lmtpPort ?? 0}`)}]`;
  const extra = o.extraToml ?? '';
  if (/^\[lmtp\]\s*$/m.test(extra)) lines.push(extra.replace(/^\[lmtp\]\s*$/m, `[lmtp]\n${lmtpListen}`));
  else lines.push('[lmtp]', lmtpListen, extra);
  return lines.join('\n') + '\n';
}

/** `node bin/sievert.js serve --config FILE` (after `npm run build`), stopped by PID. */
export async function startSievertServe(o: SievertServeOptions): Promise<SievertServe> {
  const port = o.port ?? (await freePort());
  const dataDir = join(o.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(o.dir, 'users'), passwdFile(o.users));
  writeFileSync(join(o.dir, 'masters'), passwdFile(o.masters ?? []));
  const configFile = join(o.dir, 'sievert.toml');
  writeFileSync(configFile, serveConfig(o, port));
  const logFd = o.logFile === undefined ? undefined : openSync(o.logFile, 'a');
  let server: ServerProcess;
  try {
    const command = [...(o.wrapper ?? []), process.execPath, SIEVERT_BIN, 'serve', '--config', configFile];
    server = await startServerProcess(command[0]!, command.slice(1), {
      name: 'sievert serve',
      ports: [port],
      timeoutMs: 15_000,
      stdout: logFd ?? 'pipe',
      stderr: logFd ?? 'pipe',
      log: () => (o.logFile === undefined ? '' : readFileSync(o.logFile, 'utf8')),
    });
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
  return {
    port,
    pid: server.pid,
    configFile,
    dataDir,
    output: () => server.output(),
    async putScript(user, name, source) {
      const file = join(o.dir, `script-${randomUUID()}.sieve`);
      writeFileSync(file, source);
      try {
        const r = await runProgram(process.execPath, [
          ...[SIEVERT_BIN, 'script', 'put', '--config', configFile, '--activate'],
          ...[user, name, file],
        ]);
        if (r.code !== 0)
          throw new Error(`sievert script put ${name} for ${user} exited ${r.code}:\n${r.out}`);
      } finally {
        rmSync(file, { force: true });
      }
    },
    crash: () => server.stop('SIGKILL'),
    stop: () => server.stop(),
  };
}
