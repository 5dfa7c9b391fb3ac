import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCerts } from '../../unit/proxy/helpers.js';
import { freePort, startServerProcess } from '../programs.js';

/** A private Dovecot instance (IMAP, POP3, ManageSieve, submission if asked) on free loopback ports, stopped by PID. */
export interface Dovecot {
  dir: string;
  ports: { imap: number; pop3: number; sieve: number; submission?: number };
  logFile: string;
  log(): string;
  stop(): Promise<void>;
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
  const server = await startServerProcess('dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], {
    name: 'dovecot',
    ports: [
      ports.imap,
      ports.pop3,
      ports.sieve,
      ...(ports.submission === undefined ? [] : [ports.submission]),
    ],
    timeoutMs: 10_000,
    stdout: 'ignore',
  });
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
      await server.stop();
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
