/**
 * A private Postfix (Debian `postfix`, 3.4 or later) for the delivery tests: the MTA in front of
 * an LMTP server (sievert or Dovecot) and behind sievert's outgoing mail.
 *
 * Starts: `postfix -c DIR/conf check` (creates the queue directories) and then Postfix's
 * master(8) in the foreground (`master -c DIR/conf -s`: its own session, so that SIGTERM ends
 * it and every daemon it spawned), as a child of this process with its PID recorded.
 * Files, all under one temp dir DIR: `conf/main.cf` and `conf/master.cf`, the queue in
 * `queue/`, `data/`, and the mail log in `postfix.log` (postlogd; no syslog needed).
 * Ports, all on 127.0.0.1: SMTP on a free port (`smtpPort`); mail for `localDomains` goes by
 * LMTP to `lmtpPort`; everything else is relayed to `sinkPort` (the capture sink), and clients
 * on 127.0.0.0/8 may relay. No DNS, no local delivery, no chroot, no TLS.
 * Stopped: stop() sends SIGTERM to master's PID (SIGKILL after 5 s), waits for it, removes DIR.
 *
 * Deferred mail is retried every second or two (queue_run_delay, minimal_backoff_time and
 * maximal_backoff_time), so a test can take its relay or LMTP server down and back up.
 *
 * master(8) and postfix(1) refuse to run for anyone but root; the start then resolves to
 * `{ skip }` with the reason, as it does when Postfix is not installed.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  logReader,
  missingProgram,
  runProgram,
  startServerProcess,
  type ServerProcess,
} from '../programs.js';

export interface PostfixOptions {
  /** The LMTP server on 127.0.0.1 that gets mail for `localDomains`. */
  lmtpPort: number;
  /** The SMTP relay on 127.0.0.1 for every other domain (the capture sink). */
  sinkPort: number;
  /** Domains handed to LMTP (`virtual_mailbox_domains`); every address in them is accepted. */
  localDomains: readonly string[];
  /** More main.cf settings for one test (`message_size_limit`, …); they override the defaults. */
  mainCf?: Readonly<Record<string, string>>;
}

/** One message in the queue, as `postqueue -j` shows it. */
export interface QueuedMessage {
  queue_name: string;
  queue_id: string;
  sender: string;
  recipients: { address: string; delay_reason?: string }[];
}

export interface Postfix {
  /** Postfix's SMTP server on 127.0.0.1. */
  smtpPort: number;
  dir: string;
  pid: number;
  /** The mail log (every delivery attempt with its status and the peer's reply). */
  log(): string;
  /** The messages still in the queue (active, deferred, hold…). */
  queue(): Promise<QueuedMessage[]>;
  /** Retries every deferred message now (`postqueue -f`). */
  flush(): Promise<void>;
  /** Resolves once the queue is empty; rejects after `ms` with the queue and the log. */
  waitQueueEmpty(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** Postfix's own services, none chrooted (the chroot would need copies of /etc files). */
const MASTER_CF = `
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

function mainCf(dir: string, o: PostfixOptions): string {
  const settings: Record<string, string> = {
    compatibility_level: '3.6',
    queue_directory: join(dir, 'queue'),
    data_directory: join(dir, 'data'),
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    myhostname: 'postfix.test',
    mydomain: 'test',
    myorigin: '$myhostname',
    // No local delivery: every domain is either handed to LMTP or relayed.
    mydestination: '',
    local_recipient_maps: '',
    local_transport: 'error:5.1.1 local delivery is disabled here',
    alias_maps: '',
    alias_database: '',
    biff: 'no',
    append_dot_mydomain: 'no',
    inet_interfaces: '127.0.0.1',
    inet_protocols: 'ipv4',
    mynetworks: '127.0.0.0/8',
    smtp_dns_support_level: 'disabled',
    lmtp_dns_support_level: 'disabled',
    relayhost: `[127.0.0.1]:${o.sinkPort}`,
    smtp_tls_security_level: 'none',
    virtual_mailbox_domains: o.localDomains.join(' '),
    virtual_transport: `lmtp:inet:127.0.0.1:${o.lmtpPort}`,
    // Deferred mail is retried within seconds, not minutes.
    queue_run_delay: '1s',
    minimal_backoff_time: '1s',
    maximal_backoff_time: '2s',
    smtp_connect_timeout: '5s',
    lmtp_connect_timeout: '5s',
    // Neither a test's refused command nor a burst of mail makes smtpd sleep.
    smtpd_error_sleep_time: '0',
    in_flow_delay: '0',
    // postlogd writes the log (Postfix 3.4+); the file must lie under an allowed prefix.
    maillog_file: join(dir, 'postfix.log'),
    maillog_file_prefixes: dir,
    ...o.mainCf,
  };
  return Object.entries(settings)
    .map(([k, v]) => `${k} = ${v}\n`)
    .join('');
}

export async function startPostfix(o: PostfixOptions): Promise<Postfix | { skip: string }> {
  const missing = missingProgram('postfix', 'postconf', 'postqueue');
  if (missing !== undefined) return { skip: `${missing} is not installed (Debian package postfix)` };
  if (process.getuid?.() !== 0) {
    return { skip: `Postfix's master(8) runs only as root (uid ${process.getuid?.() ?? '?'} here)` };
  }
  const daemons = await runProgram('postconf', ['-d', '-h', 'daemon_directory']);
  if (daemons.code !== 0) return { skip: `postconf -d failed: ${daemons.out.trim()}` };

  const dir = mkdtempSync(join(tmpdir(), 'sievert-postfix-'));
  // The daemons run as mail_owner and must reach the queue below this directory.
  chmodSync(dir, 0o755);
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  mkdirSync(join(dir, 'queue'));
  const smtpPort = await freePort();
  writeFileSync(join(conf, 'main.cf'), mainCf(dir, o));
  writeFileSync(join(conf, 'master.cf'), `127.0.0.1:${smtpPort} inet n - n - - smtpd\n${MASTER_CF}`);
  // Postfix reads a main.cf changed within the last couple of seconds again and again until
  // it is stable (guarding against a half-edited file): dated a minute back, it starts at once.
  const past = new Date(Date.now() - 60_000);
  for (const f of ['main.cf', 'master.cf']) utimesSync(join(conf, f), past, past);
  const logFile = join(dir, 'postfix.log');
  const log = logReader(logFile);

  let master: ServerProcess;
  try {
    const check = await runProgram('postfix', ['-c', conf, 'check']);
    if (check.code !== 0) throw new Error(`postfix check failed (${check.code}): ${check.out}${log()}`);
    master = await startServerProcess(join(daemons.out.trim(), 'master'), ['-c', conf, '-s'], {
      name: 'postfix master',
      ports: [smtpPort],
      timeoutMs: 10_000,
      log,
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const queue = async (): Promise<QueuedMessage[]> => {
    const r = await runProgram('postqueue', ['-c', conf, '-j']);
    if (r.code !== 0) throw new Error(`postqueue -j failed (${r.code}): ${r.out}`);
    return r.out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as QueuedMessage);
  };

  return {
    smtpPort,
    dir,
    pid: master.pid,
    log,
    queue,
    async flush() {
      const r = await runProgram('postqueue', ['-c', conf, '-f']);
      if (r.code !== 0) throw new Error(`postqueue -f failed (${r.code}): ${r.out}`);
    },
    async waitQueueEmpty(ms) {
      const until = Date.now() + ms;
      for (;;) {
        const q = await queue();
        if (q.length === 0) return;
        if (Date.now() > until) {
          throw new Error(
            `the Postfix queue still holds ${q.length} message(s) after ${ms} ms:\n` +
              `${JSON.stringify(q, null, 1)}\n--- postfix.log ---\n${log()}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await master.stop();
      // Daemons that outlive master by a moment may still hold files in the queue.
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
