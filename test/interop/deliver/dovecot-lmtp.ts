/**
 * A private Dovecot 2.3 LMTP server with Pigeonhole (and IMAP, to look at the result): the
 * reference that sievert's delivery is compared with, in the interop tests and the benchmark.
 *
 * Starts: `dovecot -F -c DIR/dovecot.conf` as a child of this process, its PID recorded.
 * Files, all under one temp dir DIR: `dovecot.conf`, `run/` and `state/`, the log in
 * `dovecot.log`, mail in `mail/<domain>/<local part>/Maildir` (Maildir++ folders `.Work`),
 * homes in `home/<domain>/<local part>` with the active script `~/.dovecot.sieve` (a link to
 * `~/sieve/active.sieve`).
 * Ports, on 127.0.0.1: LMTP (`lmtpPort`) and IMAP without TLS (`imapPort`), both free ports.
 * Every user@domain exists (a static userdb) and logs in to IMAP with `password`. Pigeonhole
 * sends redirects and vacation replies by SMTP to 127.0.0.1:`sinkPort`, with the original
 * envelope sender.
 * Stopped: stop() sends SIGTERM to Dovecot's PID (SIGKILL after 5 s), waits, removes DIR.
 *
 * Mail is written as `uid`/`gid`: nobody/nogroup when this process is root (Dovecot does not
 * deliver as root); otherwise the running user, with Dovecot in its rootless mode (every
 * process as that user, nothing chrooted).
 */
import { chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { chown, lchown, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { dovecotDir, startDovecotIn } from '../dovecot-common.js';
import { freePort, missingProgram } from '../programs.js';

export interface DovecotLmtpOptions {
  /** Where Pigeonhole's redirect and vacation mail goes: an SMTP server on 127.0.0.1. */
  sinkPort: number;
  /**
   * `mail_fsync = always` (the default here, to compare like for like with sievert, which
   * fsyncs every copy before its 250) or Dovecot's own default `optimized`.
   */
  fsync?: 'always' | 'optimized';
  /** More `plugin {}` settings, e.g. `sieve_extensions = +editheader`, `sieve_before`. */
  plugin?: Readonly<Record<string, string>>;
  /** For the benchmark: LMTP processes ready in advance and less logging. */
  performance?: boolean;
  /**
   * Deliver into and serve over IMAP this existing tree instead of `DIR/mail` (e.g. one that
   * sievert wrote, laid out the same: `<domain>/<local part>/Maildir`). Dovecot's mail
   * processes must be able to read and write it as `uid`/`gid`; stop() leaves it in place.
   */
  mailRoot?: string;
}

export interface DovecotLmtp {
  dir: string;
  pid: number;
  lmtpPort: number;
  imapPort: number;
  /** The IMAP password of every user. */
  password: string;
  /** `DIR/mail` (or the option): one `<domain>/<local part>/Maildir` below it per user. */
  mailRoot: string;
  /** The owner of the mail files. */
  uid: number;
  gid: number;
  /** Makes `source` the user's active Sieve script (`user@domain`). */
  setScript(user: string, source: string): Promise<void>;
  /** The user's Maildir (`user@domain`, without a `+detail`). */
  maildir(user: string): string;
  /** The user's home (where `.dovecot.sieve` and Pigeonhole's vacation and duplicate data live). */
  home(user: string): string;
  log(): string;
  stop(): Promise<void>;
}

/** The name of group `gid` (Dovecot's settings take names), from /etc/group. */
function groupName(gid: number): string {
  const line = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[2] === String(gid));
  return line?.split(':')[0] ?? String(gid);
}

function parts(user: string): { local: string; domain: string } {
  const at = user.lastIndexOf('@');
  if (at <= 0 || at === user.length - 1) throw new Error(`"${user}" is not user@domain`);
  const local = user.slice(0, at);
  const domain = user.slice(at + 1).toLowerCase();
  // The user names a directory: nothing that climbs out of the temp dir.
  if (/[/\0]|^\.\.?$/.test(local) || /[/\0]|^\.\.?$/.test(domain)) throw new Error(`unsafe user "${user}"`);
  return { local, domain };
}

export async function startDovecotLmtp(o: DovecotLmtpOptions): Promise<DovecotLmtp | { skip: string }> {
  const missing = missingProgram('dovecot');
  if (missing !== undefined) return { skip: 'dovecot is not installed (Debian dovecot-core)' };
  for (const [file, pkg] of [
    ['/usr/lib/dovecot/lmtp', 'dovecot-lmtpd'],
    ['/usr/lib/dovecot/imap', 'dovecot-imapd'],
    ['/usr/lib/dovecot/modules/lib90_sieve_plugin.so', 'dovecot-sieve'],
  ] as const) {
    if (!existsSync(file)) return { skip: `${file} is missing (Debian ${pkg})` };
  }
  const self = process.getuid?.() ?? 0;
  const uid = self === 0 ? 65534 : self;
  const gid = self === 0 ? 65534 : (process.getgid?.() ?? 65534);

  const dir = dovecotDir('sievert-dovecot-lmtp-');
  const mailRoot = o.mailRoot ?? join(dir, 'mail');
  const homes = join(dir, 'home');
  for (const d of o.mailRoot === undefined ? [mailRoot, homes] : [homes]) {
    mkdirSync(d);
    chownSync(d, uid, gid);
  }
  const lmtpPort = await freePort();
  const imapPort = await freePort();
  const password = 'secret';
  const plugin = {
    sieve: 'file:~/sieve;active=~/.dovecot.sieve',
    // RFC 5228 §4.2 leaves the redirect's envelope sender open; sievert keeps the original.
    sieve_redirect_envelope_from: 'sender',
    ...o.plugin,
  };
  const performance = o.performance
    ? `
service lmtp {
  process_min_avail = 4
}
`
    : '';
  const dovecot = await startDovecotIn(dir, {
    instance: `sievert-lmtp-${process.pid}-${lmtpPort}`,
    ports: [lmtpPort, imapPort],
    config: `
protocols = lmtp imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = ${o.performance ? 'no' : 'yes'}
auth_failure_delay = 0
hostname = dovecot.test
postmaster_address = postmaster@dovecot.test
mail_location = maildir:${mailRoot}/%d/%n/Maildir
mail_uid = ${uid}
mail_gid = ${gid}
first_valid_uid = 1
${
  self === 0
    ? 'default_login_user = dovenull\ndefault_internal_user = dovecot'
    : // Dovecot's rootless mode: every process runs as this user, and nothing is chrooted.
      `default_login_user = ${userInfo().username}\ndefault_internal_user = ${userInfo().username}\n` +
      `default_internal_group = ${groupName(gid)}`
}
mail_fsync = ${o.fsync ?? 'always'}
mail_max_userip_connections = 1000
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
lmtp_rcpt_check_quota = no
submission_host = 127.0.0.1:${o.sinkPort}
passdb {
  driver = static
  args = password=${password}
}
userdb {
  driver = static
  # Any user exists: LMTP asks only the userdb (RCPT), so it must say yes by itself.
  args = uid=${uid} gid=${gid} home=${homes}/%d/%n allow_all_users=yes
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
service imap-login {
  chroot =
  inet_listener imap {
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
${performance}
protocol lmtp {
  mail_plugins = $mail_plugins sieve
}
plugin {
${Object.entries(plugin)
  .map(([k, v]) => `  ${k} = ${v}\n`)
  .join('')}}
`,
  });

  const home = (user: string): string => {
    const { local, domain } = parts(user);
    return join(homes, domain, local);
  };
  return {
    dir,
    pid: dovecot.pid,
    lmtpPort,
    imapPort,
    password,
    mailRoot,
    uid,
    gid,
    home,
    maildir(user) {
      const { local, domain } = parts(user);
      return join(mailRoot, domain, local, 'Maildir');
    },
    async setScript(user, source) {
      const h = home(user);
      const scripts = join(h, 'sieve');
      await mkdir(scripts, { recursive: true });
      // The compiled binary is dropped: Pigeonhole judges it stale by modification time, and
      // a script replaced within that time's resolution would otherwise run in its old form.
      await rm(join(scripts, 'active.svbin'), { force: true });
      await writeFile(join(scripts, 'active.sieve'), source);
      await rm(join(h, '.dovecot.sieve'), { force: true });
      await symlink('sieve/active.sieve', join(h, '.dovecot.sieve'));
      // Pigeonhole runs as the mail user and writes its .svbin and vacation data here.
      for (const p of [join(homes, parts(user).domain), h, scripts, join(scripts, 'active.sieve')]) {
        await chown(p, uid, gid);
      }
      await lchown(join(h, '.dovecot.sieve'), uid, gid);
    },
    log: () => dovecot.log(),
    stop: () => dovecot.stop(),
  };
}
