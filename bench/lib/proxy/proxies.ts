/**
 * The two proxies under test, each a child process with its own configuration in a temp dir:
 * `sievert proxy` (one node process) and nginx's mail proxy (master + one worker, answering its
 * own auth_http requests from an http{} server). Both are started through `sh -c 'ulimit -n …;
 * exec …'` so that a thousand idle sessions fit in their descriptor limit, keeping the PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

import { ProcessGroup } from './procfs.js';

export const NGINX = '/usr/sbin/nginx';
export const NGINX_MAIL_MODULE = '/usr/lib/nginx/modules/ngx_mail_module.so';

export interface RunningProxy {
  readonly name: 'sievert' | 'nginx';
  readonly port: number;
  readonly processes: ProcessGroup;
  /** Files worth reading when something goes wrong. */
  readonly logs: string[];
  stop(): Promise<void>;
}

/** A port nothing listens on now (bound to port 0, then released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Waits until `port` sends an IMAP greeting (the proxy is up and answering). */
async function waitForGreeting(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('exited during start-up');
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      const done = (v: boolean): void => {
        s.destroy();
        resolve(v);
      };
      s.setTimeout(1000, () => done(false));
      s.once('error', () => done(false));
      s.once('data', (d: Buffer) => done(d.toString('latin1').startsWith('* OK')));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`no greeting on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Spawns `command args` under `ulimit -n` with its output in files; the PID is the command's. */
function spawnLimited(command: string, args: string[], out: string, err: string, fds: number): ChildProcess {
  const outFd = openSync(out, 'a');
  const errFd = openSync(err, 'a');
  try {
    // The hard limit may be below the wish: then take the hard limit.
    const script = `ulimit -n ${fds} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
    const child = spawn('sh', ['-c', script, command, ...args], { stdio: ['ignore', outFd, errFd] });
    child.on('error', () => {});
    return child;
  } finally {
    closeSync(outFd);
    closeSync(errFd);
  }
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL; then the same for any recorded extra PIDs. */
async function stopChild(child: ChildProcess, extra: () => number[], graceMs = 5000): Promise<void> {
  const pid = child.pid;
  const others = pid !== undefined && alive(pid) ? extra() : [];
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
    const ok = await Promise.race([exited.then(() => true), timer]);
    if (!ok) {
      child.kill('SIGKILL');
      await exited;
    }
  }
  // nginx's worker ends with its master; a worker left behind (master killed) is ended by PID.
  for (const p of others) {
    for (let i = 0; i < 50 && alive(p); i++) await new Promise((r) => setTimeout(r, 20));
    if (alive(p)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}

export interface SievertOptions {
  root: string;
  dir: string;
  backendPort: number;
  sessions: number;
  logLevel: string;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs: string[];
}

export async function startSievert(o: SievertOptions): Promise<RunningProxy> {
  mkdirSync(o.dir, { recursive: true });
  const port = await freePort();
  const config = join(o.dir, 'proxy.toml');
  writeFileSync(
    config,
    `# sievert proxy, benchmark configuration
[listener.imap]
protocol = "imap"
bind = ["127.0.0.1:${port}"]
max_connections = ${o.sessions * 4 + 1000}
max_connections_per_ip = ${o.sessions * 4 + 1000}

[destination.bench]
host = "127.0.0.1"
allow_plaintext_auth = true
[destination.bench.protocol.imap]
port = ${o.backendPort}

[routing]
default_destination = "bench"

[capabilities.imap]
allow_plain_auth_without_tls = true

[limits]
shutdown_timeout = "1s"

[log]
level = "${o.logLevel}"
`,
  );
  const out = join(o.dir, 'sievert.out');
  const err = join(o.dir, 'sievert.err');
  const child = spawnLimited(
    process.execPath,
    [...o.nodeArgs, join(o.root, 'bin', 'sievert.js'), 'proxy', '--config', config],
    out,
    err,
    o.sessions * 4 + 4096,
  );
  const proxy: RunningProxy = {
    name: 'sievert',
    port,
    processes: new ProcessGroup(child.pid!, false),
    logs: [out, err],
    stop: () => stopChild(child, () => []),
  };
  try {
    await waitForGreeting(port, child, 15_000);
  } catch (e) {
    await proxy.stop();
    throw new Error(`sievert proxy: ${(e as Error).message}; see ${err}`);
  }
  return proxy;
}

export interface NginxOptions {
  dir: string;
  backendPort: number;
  sessions: number;
  logLevel: string;
}

export async function startNginx(o: NginxOptions): Promise<RunningProxy> {
  mkdirSync(join(o.dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const authPort = await freePort();
  // Two batches of idle sessions, two connections each (client, backend); logins add the auth request.
  const connections = o.sessions * 4 + 1024;
  const d = o.dir;
  const conf = join(d, 'nginx.conf');
  writeFileSync(
    conf,
    `# nginx mail proxy, benchmark configuration
load_module ${NGINX_MAIL_MODULE};
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile ${connections + 64};
pid ${join(d, 'nginx.pid')};
error_log ${join(d, 'error.log')} ${o.logLevel};
events { worker_connections ${connections}; }

# auth_http answered by nginx itself: every login goes to the fake backend (which says OK).
http {
  access_log off;
  client_body_temp_path ${join(d, 'tmp', 'body')};
  proxy_temp_path ${join(d, 'tmp', 'proxy')};
  fastcgi_temp_path ${join(d, 'tmp', 'fastcgi')};
  uwsgi_temp_path ${join(d, 'tmp', 'uwsgi')};
  scgi_temp_path ${join(d, 'tmp', 'scgi')};
  server {
    listen 127.0.0.1:${authPort};
    location = /auth {
      add_header Auth-Status OK;
      add_header Auth-Server 127.0.0.1;
      add_header Auth-Port ${o.backendPort};
      return 204;
    }
  }
}

mail {
  auth_http 127.0.0.1:${authPort}/auth;
  imap_capabilities IMAP4rev1 SASL-IR LITERAL+;
  imap_auth plain login;
  proxy_buffer 64k;
  server {
    listen 127.0.0.1:${port};
    protocol imap;
  }
}
`,
  );
  const out = join(d, 'nginx.out');
  const err = join(d, 'nginx.err');
  const child = spawnLimited(
    NGINX,
    ['-p', d, '-e', join(d, 'error.log'), '-c', conf],
    out,
    err,
    connections + 256,
  );
  const processes = new ProcessGroup(child.pid!, true);
  const proxy: RunningProxy = {
    name: 'nginx',
    port,
    processes,
    logs: [err, join(d, 'error.log')],
    stop: () => stopChild(child, () => processes.pids().slice(1)),
  };
  try {
    await waitForGreeting(port, child, 15_000);
    if (processes.pids().length !== 2)
      throw new Error(`expected master + 1 worker, found ${processes.pids().length}`);
  } catch (e) {
    await proxy.stop();
    const log = existsSync(join(d, 'error.log'))
      ? readFileSync(join(d, 'error.log'), 'utf8').slice(-2000)
      : '';
    throw new Error(`nginx: ${(e as Error).message}\n${log}`);
  }
  return proxy;
}
