import { spawn } from 'node:child_process';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestCerts } from '../../unit/proxy/helpers.js';
import { dovecotDir, startDovecotIn, type DovecotProcess } from '../dovecot-common.js';
import { passwdFile } from '../managesieve/common.js';
import { freePort } from '../programs.js';

/** A private Dovecot instance (IMAP, POP3, ManageSieve, submission if asked) on free loopback ports, stopped by PID. */
export interface Dovecot extends DovecotProcess {
  readonly ports: { imap: number; pop3: number; sieve: number; submission?: number };
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
  const dir = dovecotDir(`sievert-dovecot-${opts.name}-`);
  const ports: Dovecot['ports'] = { imap: await freePort(), pop3: await freePort(), sieve: await freePort() };
  if (opts.submissionRelayPort !== undefined) ports.submission = await freePort();
  const mail = join(dir, 'mail');
  mkdirSync(mail);
  chownSync(mail, 65534, 65534);
  const plain = (users: Record<string, string>): string =>
    passwdFile(Object.entries(users).map(([user, p]) => ({ user, password: `{PLAIN}${p}` })));
  writeFileSync(join(dir, 'users'), plain(opts.users));
  writeFileSync(join(dir, 'masters'), plain(opts.masters ?? {}));
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
  const dovecot = await startDovecotIn(dir, {
    instance: `sievert-${opts.name}-${process.pid}`,
    ports: Object.values(ports),
    config: `
protocols = imap pop3 sieve${ports.submission === undefined ? '' : ' submission'}
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
  });
  return { ...dovecot, ports };
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
