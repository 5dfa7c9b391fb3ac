/**
 * What every private Dovecot 2.3 of the interop tests and benchmarks shares: one temp dir DIR
 * with `dovecot.conf`, `run/`, `state/` and the log `dovecot.log`; `dovecot -F -c
 * DIR/dovecot.conf` as a child of this process, its PID recorded; listening on 127.0.0.1 only;
 * stopped by SIGTERM to that PID (SIGKILL after 5 s), then DIR removed. Each launcher writes the
 * settings of its own protocols, users and services.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logReader, startServerProcess, type ServerProcess } from './programs.js';

export interface DovecotProcess {
  readonly dir: string;
  readonly pid: number;
  readonly logFile: string;
  /** The log so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Makes DIR under the system's temp dir; mode 0755, since Dovecot's unprivileged processes reach into it. */
export function dovecotDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * Writes DIR/dovecot.conf (the shared settings, then `config`) and starts Dovecot; resolves once
 * every port accepts connections. When the start fails DIR is removed and the error (with the
 * log) thrown.
 */
export async function startDovecotIn(
  dir: string,
  o: {
    /** instance_name: unique among the Dovecots running on this machine. */
    instance: string;
    config: string;
    ports: readonly number[];
  },
): Promise<DovecotProcess> {
  const logFile = join(dir, 'dovecot.log');
  writeFileSync(
    join(dir, 'dovecot.conf'),
    `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${logFile}
info_log_path = ${logFile}
instance_name = ${o.instance}
listen = 127.0.0.1
${o.config}`,
  );
  const log = logReader(logFile);
  let server: ServerProcess;
  try {
    server = await startServerProcess('dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], {
      name: 'dovecot',
      ports: o.ports,
      timeoutMs: 10_000,
      stdout: 'ignore',
      log,
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    pid: server.pid,
    logFile,
    log,
    async stop() {
      await server.stop();
      // Processes that outlive the master by a moment may still hold files in DIR.
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
