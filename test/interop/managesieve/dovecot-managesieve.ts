import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestCerts } from '../../unit/proxy/helpers.js';
import { dovecotDir, startDovecotIn, type DovecotProcess } from '../dovecot-common.js';
import { freePort } from '../programs.js';
import { passwdFile, type PasswdUser } from './common.js';

export type { PasswdUser } from './common.js';

export interface DovecotManageSieve extends DovecotProcess {
  readonly port: number;
}

export interface DovecotManageSieveOptions {
  name: string;
  users: readonly PasswdUser[];
  masters?: readonly PasswdUser[];
  /** STARTTLS with this certificate; without it, plain TCP only (ssl = no). */
  certs?: TestCerts;
  /** Plugin settings sieve_max_script_size (e.g. "1M"), sieve_quota_max_scripts, sieve_quota_max_storage. */
  maxScriptSize?: string;
  maxScripts?: number;
  maxStorage?: string;
  /**
   * For the benchmark: long-lived login processes (`service_count = 0`) and process and
   * client limits raised so that 32 concurrent sessions never queue on a limit.
   */
  performance?: boolean;
}

/**
 * A private Dovecot 2.3 managesieved (Pigeonhole) on a free loopback port: passwd-file passdb
 * and userdb (per-user quotas from the extra fields), one sieve directory per user, stopped
 * by PID. Failed logins are not delayed and earn no penalty, so tests may fail and retry.
 */
export async function startDovecotManageSieve(o: DovecotManageSieveOptions): Promise<DovecotManageSieve> {
  const dir = dovecotDir(`sievert-dovecot-ms-${o.name}-`);
  const port = await freePort();
  const home = join(dir, 'home');
  mkdirSync(home);
  // Mail processes run as nobody (Dovecot refuses root): they own the homes.
  chownSync(home, 65534, 65534);
  writeFileSync(join(dir, 'users'), passwdFile(o.users));
  writeFileSync(join(dir, 'masters'), passwdFile(o.masters ?? []));
  const ssl = o.certs
    ? `ssl = yes\nssl_cert = <${o.certs.certFile}\nssl_key = <${o.certs.keyFile}\n`
    : 'ssl = no\n';
  const performance = o.performance
    ? `
default_process_limit = 200
default_client_limit = 2000
service managesieve-login {
  service_count = 0
  process_min_avail = 2
  client_limit = 1000
}
service managesieve {
  process_limit = 200
}
service auth {
  client_limit = 4000
}
`
    : '';
  const plugin = [
    `sieve = file:${home}/%u/sieve;active=${home}/%u/.dovecot.sieve`,
    o.maxScriptSize ? `sieve_max_script_size = ${o.maxScriptSize}` : '',
    o.maxScripts !== undefined ? `sieve_quota_max_scripts = ${o.maxScripts}` : '',
    o.maxStorage ? `sieve_quota_max_storage = ${o.maxStorage}` : '',
  ]
    .filter(Boolean)
    .join('\n  ');
  const dovecot = await startDovecotIn(dir, {
    instance: `sievert-ms-${o.name}-${process.pid}`,
    ports: [port],
    config: `
protocols = sieve
${ssl}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = ${o.performance ? 'no' : 'yes'}
auth_failure_delay = 0
mail_location = maildir:${home}/%u/Maildir
mail_uid = 65534
mail_gid = 65534
first_valid_uid = 1
default_login_user = dovenull
default_internal_user = dovecot
mail_max_userip_connections = 10000
passdb {
  driver = passwd-file
  args = username_format=%u ${dir}/masters
  master = yes
  pass = yes
}
passdb {
  driver = passwd-file
  args = username_format=%u ${dir}/users
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/users
  default_fields = uid=65534 gid=65534 home=${home}/%u
}
service managesieve-login {
  inet_listener sieve {
    port = ${port}
  }
}
service anvil {
  chroot =
  # No auth penalty: tests log in again right after a wrong password from the same address.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
${performance}
plugin {
  ${plugin}
}
`,
  });
  return { ...dovecot, port };
}
