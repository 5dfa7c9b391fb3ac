import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCerts } from '../../unit/proxy/helpers.js';

/** A private Dovecot instance (IMAP, POP3, ManageSieve, submission if asked) on free loopback ports, stopped by PID. */
export interface Dovecot {
  dir: string;
  ports: { imap: number; pop3: number; sieve: number; submission?: number };
  logFile: string;
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return a && typeof a === 'object' ? a.port : 0;
}

async function waitForPort(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not listen on ${port}`);
}

/** Users are `name:password`; `masters` may log in for any user (PLAIN authzid or user*master). */
export async function startDovecot(opts: {
  name: string;
  users: Record<string, string>;
  masters?: Record<string, string>;
  certs: TestCerts;
  /** Accept PROXY v2 headers on extra `haproxy = yes` listeners instead of plain ones. */
  haproxy?: boolean;
  /** Also run Dovecot's submission service, relaying to this SMTP port on 127.0.0.1. */
  submissionRelayPort?: number;
}): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), `sievert-dovecot-${opts.name}-`));
  chmodSync(dir, 0o755);
  const ports: Dovecot['ports'] = { imap: await freePort(), pop3: await freePort(), sieve: await freePort() };
  if (opts.submissionRelayPort !== undefined) ports.submission = await freePort();
  const mail = join(dir, 'mail');
  mkdirSync(mail);
  chownSync(mail, 65534, 65534);
  writeFileSync(
    join(dir, 'users'),
    Object.entries(opts.users)
      .map(([u, p]) => `${u}:{PLAIN}${p}::::::`)
      .join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'masters'),
    Object.entries(opts.masters ?? {})
      .map(([u, p]) => `${u}:{PLAIN}${p}::::::`)
      .join('\n') + '\n',
  );
  const logFile = join(dir, 'dovecot.log');
  const hap = opts.haproxy ? '    haproxy = yes\n' : '';
  const submission =
    ports.submission === undefined
      ? ''
      : `
hostname = dovecot.example.com
submission_relay_host = 127.0.0.1
submission_relay_port = ${opts.submissionRelayPort}
submission_relay_ssl = no
service submission-login {
  inet_listener submission {
    port = ${ports.submission}
${hap}  }
}
`;
  writeFileSync(
    join(dir, 'dovecot.conf'),
    `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${logFile}
info_log_path = ${logFile}
instance_name = sievert-${opts.name}-${process.pid}
protocols = imap pop3 sieve${ports.submission === undefined ? '' : ' submission'}
listen = 127.0.0.1
ssl = yes
ssl_cert = <${opts.certs.certFile}
ssl_key = <${opts.certs.keyFile}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_master_user_separator = *
auth_verbose = yes
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
haproxy_trusted_networks = 127.0.0.0/8
mail_location = maildir:${mail}/%u
mail_uid = 65534
mail_gid = 65534
first_valid_uid = 1
default_login_user = dovenull
default_internal_user = dovecot
mail_max_userip_connections = 1000
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/masters
  master = yes
  pass = yes
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=${mail}/%u
}
service imap-login {
  inet_listener imap {
    port = ${ports.imap}
${hap}  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${ports.pop3}
${hap}  }
  inet_listener pop3s {
    port = 0
  }
}
service managesieve-login {
  inet_listener sieve {
    port = ${ports.sieve}
${hap}  }
}
service anvil {
  chroot =
  # No auth penalty: tests log in again right after a wrong password from the same address,
  # which would otherwise wait 2 s and more (Dovecot's documented way to turn it off).
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
protocol sieve {
  managesieve_logout_format = bytes=%i/%o
}
plugin {
  sieve = file:${mail}/%u/sieve;active=${mail}/%u/.dovecot.sieve
}
${submission}`,
  );
  const child: ChildProcess = spawn('dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await Promise.race([
      Promise.all([
        waitForPort(ports.imap, 10_000),
        waitForPort(ports.pop3, 10_000),
        waitForPort(ports.sieve, 10_000),
        ...(ports.submission === undefined ? [] : [waitForPort(ports.submission, 10_000)]),
      ]),
      exited.then(() => {
        throw new Error(`dovecot exited: ${stderr}`);
      }),
    ]);
  } catch (e) {
    child.kill('SIGTERM');
    throw e;
  }
  return {
    dir,
    ports,
    logFile,
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) {
        process.kill(child.pid, 'SIGTERM');
        // A timer left running would keep the test process alive for its whole 5 s.
        let t: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (t = setTimeout(r, 5000)))]);
        clearTimeout(t);
        if (child.exitCode === null) process.kill(child.pid, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a python3 snippet (imaplib/poplib clients); resolves with its stdout, rejects on failure. */
export function python(code: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`python exited ${code}: ${err}\n${out}`));
    });
  });
}
