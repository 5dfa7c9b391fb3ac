// Runs Dovecot Pigeonhole, the reference Sieve implementation, on one case and converts what
// it prints into the `sievert test --json` schema.
//
// `sieve-test` is a dry run that lists the actions, but it cannot be given a null envelope
// sender: `-f` is parsed as an RFC 5321 mailbox, so "" and "<>" are refused, and without `-f`
// the sender is taken from the Return-Path/Sender/From headers or set to sender@example.com.
// Cases with a null sender therefore run through `dovecot-lda -f "<>"`, which really
// delivers into a private Maildir (redirects go to a sendmail stand-in that discards the
// message) and logs each action it performs; that log is converted instead.
import { execFile } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CaseContext, NO_CONTEXT } from './corpus.js';
import {
  type Action,
  type EngineResult,
  discard,
  fileinto,
  isInbox,
  keep,
  normalizeActions,
  redirect,
} from './schema.js';

export const SIEVE_TEST = process.env.SIEVE_TEST ?? 'sieve-test';
export const DOVECOT_LDA = process.env.DOVECOT_LDA ?? '/usr/lib/dovecot/dovecot-lda';

/** sieve-test's exit status when the script does not compile (EX_DATAERR is 65; Dovecot uses 89 = FATAL_DEFAULT). */
const EXIT_COMPILE_FAILED = 89;

export interface Envelope {
  /** "" is the null sender. */
  from: string;
  to: string;
}

/** Finds the executables, or explains what to install. */
export function findPigeonhole(): { ok: true } | { ok: false; reason: string } {
  const missing: string[] = [];
  for (const exe of [SIEVE_TEST, DOVECOT_LDA]) {
    if (!isExecutable(exe)) missing.push(exe);
  }
  if (missing.length === 0) return { ok: true };
  return {
    ok: false,
    reason:
      `Pigeonhole is not installed (${missing.join(', ')} not found). The interop test compares ` +
      `sievert with it: apt-get install dovecot-core dovecot-sieve (.ci/run does this).`,
  };
}

function isExecutable(exe: string): boolean {
  const dirs = exe.includes('/') ? [''] : (process.env.PATH ?? '').split(':');
  for (const d of dirs) {
    try {
      accessSync(d === '' ? exe : join(d, exe), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

/**
 * A private Dovecot environment in a temporary directory (outside the repository). As root,
 * Dovecot drops to nobody/nogroup, so the directories are world-writable.
 */
export class PigeonholeSandbox {
  readonly root: string;
  private next = 0;
  private readonly asRoot = process.getuid?.() === 0;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'sievert-pigeonhole-'));
    chmodSync(this.root, 0o777);
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /**
   * Runs one script on one message and returns Pigeonhole's result in the sievert schema.
   * `extensions` go to sieve-test's `-x` (e.g. "+editheader"); the context's include folders
   * are copied into the sandbox (Pigeonhole writes compiled binaries next to the scripts) and
   * its settings go into the plugin { } block.
   */
  async run(
    script: Buffer,
    message: Buffer,
    envelope: Envelope,
    extensions: string[] = [],
    context: CaseContext = NO_CONTEXT,
  ): Promise<EngineResult> {
    // dovecot-lda's configuration has neither include location nor the settings.
    const lda = envelope.from === '';
    if (
      lda &&
      (context.personalDir !== null || context.globalDir !== null || Object.keys(context.settings).length > 0)
    )
      throw new Error('a null-sender case (dovecot-lda) cannot have include folders or settings');
    const dir = join(this.root, String(this.next++));
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    // sieve-test writes the compiled binary next to the script, so the script lives here too.
    const scriptPath = join(dir, 'script.sieve');
    const messagePath = join(dir, 'message.eml');
    writeFileSync(scriptPath, script, { mode: 0o666 });
    writeFileSync(messagePath, message, { mode: 0o644 });
    chmodSync(scriptPath, 0o666);
    for (const sub of ['mail', 'personal', 'global']) {
      mkdirSync(join(dir, sub));
      chmodSync(join(dir, sub), 0o777);
    }
    copyScripts(context.personalDir, join(dir, 'personal'));
    copyScripts(context.globalDir, join(dir, 'global'));
    if (lda) return this.runLda(dir, scriptPath, messagePath, envelope);
    return this.runSieveTest(dir, scriptPath, messagePath, envelope, extensions, context.settings);
  }

  private baseConfig(dir: string): string {
    return [
      ...(this.asRoot ? ['mail_uid = nobody', 'mail_gid = nogroup'] : []),
      `mail_location = maildir:${join(dir, 'mail')}`,
      // mboxmetadata/servermetadata (RFC 5490) read mailbox attributes: an empty store, so no
      // annotation exists (without one Pigeonhole fails every metadata test at run time).
      `mail_attribute_dict = file:${join(dir, 'attributes')}`,
      'log_path = /dev/stderr',
      'info_log_path = /dev/stderr',
      '',
    ].join('\n');
  }

  private async runSieveTest(
    dir: string,
    scriptPath: string,
    messagePath: string,
    envelope: Envelope,
    extensions: string[],
    settings: Readonly<Record<string, string>>,
  ): Promise<EngineResult> {
    const conf = join(dir, 'dc.conf');
    // include's locations (RFC 6609 §3.2): sieve is the personal storage, sieve_global the global one.
    const plugin = [
      'plugin {',
      `  sieve = file:${join(dir, 'personal')}`,
      `  sieve_global = ${join(dir, 'global')}`,
      ...Object.entries(settings).map(([name, value]) => `  ${name} = ${value}`),
      '}',
      '',
    ];
    writeFileSync(conf, this.baseConfig(dir) + plugin.join('\n'), { mode: 0o644 });
    // -a is the original recipient and -r the final one; the envelope test reads "to" from
    // one or the other depending on settings, so both get the case's recipient.
    const args = [
      '-c',
      conf,
      '-f',
      envelope.from,
      '-a',
      envelope.to,
      '-r',
      envelope.to,
      ...(extensions.length ? ['-x', extensions.join(' ')] : []),
      scriptPath,
      messagePath,
    ];
    const r = await exec(SIEVE_TEST, args, {});
    return parseSieveTest(r.stdout, r.stderr, r.code);
  }

  private async runLda(
    dir: string,
    scriptPath: string,
    messagePath: string,
    envelope: Envelope,
  ): Promise<EngineResult> {
    const home = join(dir, 'home');
    mkdirSync(home);
    chmodSync(home, 0o777);
    const sendmail = join(dir, 'sendmail');
    writeFileSync(sendmail, '#!/bin/sh\ncat >/dev/null\n', { mode: 0o755 });
    chmodSync(sendmail, 0o755);
    const conf = join(dir, 'dc.conf');
    writeFileSync(
      conf,
      this.baseConfig(dir) +
        [
          `sendmail_path = ${sendmail}`,
          'lda_mailbox_autocreate = yes',
          'protocol lda {',
          '  mail_plugins = sieve',
          '}',
          'plugin {',
          `  sieve = file:${scriptPath}`,
          '}',
          '',
        ].join('\n'),
      { mode: 0o644 },
    );
    const lda = [DOVECOT_LDA, '-c', conf, '-f', '<>', '-a', envelope.to, '-p', messagePath];
    // dovecot-lda run by root insists on -d USER and a userdb lookup through a running auth
    // service; run by an ordinary user it delivers to that user. So root runs it as nobody.
    const [cmd, ...args] = this.asRoot
      ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', ...lda]
      : lda;
    const r = await exec(cmd ?? DOVECOT_LDA, args, {
      HOME: home,
      USER: this.asRoot ? 'nobody' : (process.env.USER ?? ''),
    });
    if (r.code !== 0) throw new Error(`dovecot-lda exited with ${r.code}:\n${r.stderr}`);
    return parseLdaLog(r.stderr);
  }
}

/** Copies a case's NAME.sieve files into the sandbox, writable for the compiled binaries. */
function copyScripts(from: string | null, to: string): void {
  if (from === null) return;
  for (const name of readdirSync(from)) {
    writeFileSync(join(to, name), readFileSync(join(from, name)), { mode: 0o666 });
    chmodSync(join(to, name), 0o666);
  }
}

interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

function exec(cmd: string, args: string[], env: Record<string, string>): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { env: { ...process.env, ...env }, timeout: 20_000, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`${cmd} failed to run: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ stdout, stderr, code: typeof error?.code === 'number' ? error.code : 0 });
      },
    );
  });
}

/** Lines of `NAME: line N: error: …` diagnostics. */
function errorLines(text: string): number[] {
  const lines = new Set<number>();
  for (const m of text.matchAll(/: line (\d+): error: /g)) lines.add(Number(m[1]));
  return [...lines].sort((a, b) => a - b);
}

/** The message of the first `line N: error:` diagnostic, or the whole text. */
function firstError(text: string): string {
  return /: (line \d+: error: .*)/.exec(text)?.[1] ?? text.trim();
}

/** A folder name as Pigeonhole names it: INBOX is the keep (RFC 5228 §4.1: fileinto "INBOX" is keep). */
function store(folder: string): Action {
  return isInbox(folder) ? keep() : fileinto(folder);
}

/**
 * Converts `sieve-test` output. Exit 0: stdout lists "Performed actions:" and "Implicit keep:",
 * one ` * …` line per action. Exit 89: the script did not compile (errors on stderr). Exit 1
 * with "final result: failed; resolved with successful implicit keep": a run-time error, and
 * nothing is listed on stdout.
 */
export function parseSieveTest(stdout: string, stderr: string, code: number): EngineResult {
  if (code === EXIT_COMPILE_FAILED) {
    return {
      actions: [],
      error: { kind: 'compile', message: firstError(stderr) },
      errorLines: errorLines(stderr),
    };
  }
  if (code === 1 && /final result: failed; resolved with successful implicit keep/.test(stderr)) {
    return { actions: [keep()], error: { kind: 'runtime', message: firstError(stderr) }, errorLines: [] };
  }
  if (code !== 0 || !/final result: success/.test(stderr)) {
    throw new Error(`sieve-test exited with ${code}:\n${stderr}\n${stdout}`);
  }
  const actions: Action[] = [];
  let section: 'none' | 'performed' | 'implicit' = 'none';
  let sawImplicit = false;
  // A vacation's text is printed between START MESSAGE and END MESSAGE, blank lines and all:
  // it becomes one detail line of the action above it.
  const text = stdout.replace(
    /^START MESSAGE\r?\n([\s\S]*?)\r?\nEND MESSAGE\r?$/gm,
    (_, body: string) => `    => message : ${JSON.stringify(body)}`,
  );
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === 'Performed actions:') section = 'performed';
    else if (line === 'Implicit keep:') {
      section = 'implicit';
      sawImplicit = true;
    } else if (line === '' || line === '  (none)') continue;
    else if (section === 'none') throw new Error(`unexpected sieve-test output before the actions: ${line}`);
    // RFC 3894 :copy: the store or redirect above "preserves implicit keep".
    else if (/^\s+\+ preserve implicit keep$/.test(line)) markCopy(actions, line);
    // Details of the action above: flags, vacation and notify parameters (issue 4 extensions).
    else if (/^\s+(?:=>|\+) /.test(line)) addDetail(actions, line);
    else actions.push(parseActionLine(line));
  }
  if (!sawImplicit) throw new Error(`sieve-test printed no "Implicit keep:" section:\n${stdout}`);
  return { actions: normalizeActions(actions), error: null, errorLines: [], ordered: false };
}

/** Marks the last listed fileinto or redirect as a :copy one (RFC 3894); a keep stays a keep. */
function markCopy(actions: Action[], line: string): void {
  const last = actions[actions.length - 1];
  if (last?.type === 'fileinto' || last?.type === 'redirect')
    actions[actions.length - 1] = { ...last, copy: true };
  else if (last?.type !== 'keep')
    throw new Error(`sieve-test printed ${JSON.stringify(line)} after no action`);
}

/** RFC 3501 §2.3.2 system flags in their usual spelling; Pigeonhole prints them in lower case. */
const SYSTEM_FLAGS = new Map(
  ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((f) => [f.toLowerCase(), f]),
);

/**
 * Reads a detail line of the action listed last: `+ add IMAP flags: …` of a store (RFC 5232;
 * flags compare case-insensitively, so system flags take their usual spelling, and the schema
 * sorts them), `=> seconds : N` and `=> message : "…"` of a vacation, `=> importance : N` and
 * `+ To:`/`+ Cc:` recipients of a notification. Other details are not compared.
 */
function addDetail(actions: Action[], line: string): void {
  const last = actions[actions.length - 1];
  if (!last) throw new Error(`sieve-test printed ${JSON.stringify(line)} after no action`);
  const i = actions.length - 1;
  let m: RegExpExecArray | null;
  if ((m = /^\s+\+ add IMAP flags: (.*)$/.exec(line)) && (last.type === 'keep' || last.type === 'fileinto')) {
    const flags = (m[1] ?? '').split(' ').filter((f) => f !== '');
    actions[i] = { ...last, flags: flags.map((f) => SYSTEM_FLAGS.get(f.toLowerCase()) ?? f).sort() };
  } else if (/^\s+\+ create mailbox if it does not exist$/.test(line) && last.type === 'fileinto') {
    // RFC 5490 §3.1 fileinto :create (a keep, fileinto "INBOX", has nothing to create).
    actions[i] = { ...last, create: true };
  } else if (last.type === 'vacation') {
    if ((m = /^\s+=> seconds\s*: (\d+)$/.exec(line))) actions[i] = { ...last, seconds: Number(m[1]) };
    else if ((m = /^\s+=> message : (".*")$/.exec(line)))
      actions[i] = { ...last, reason: JSON.parse(m[1]!) as string };
  } else if (last.type === 'notify') {
    if ((m = /^\s+=> importance\s*: (\S+)$/.exec(line))) actions[i] = { ...last, importance: m[1]! };
    else if ((m = /^\s+\+ (?:To|Cc): (.*)$/.exec(line))) {
      actions[i] = { ...last, recipients: [...last.recipients, m[1]!].sort() };
    }
  }
}

function parseActionLine(line: string): Action {
  let m: RegExpExecArray | null;
  if ((m = /^ \* store message in folder: (.*)$/.exec(line))) return store(m[1] ?? '');
  if ((m = /^ \* redirect message to: <(.*)>$/.exec(line))) return redirect(m[1] ?? '');
  if (line === ' * discard') return discard();
  if (line === ' * keep') return keep();
  if ((m = /^ \* reject message with reason: (.*)$/.exec(line)))
    return { type: 'reject', reason: m[1] ?? '' };
  if (line === ' * send vacation message:') return { type: 'vacation', seconds: 0, reason: '' };
  if (/^ \* send notification with method '[^']*':$/.test(line)) {
    return { type: 'notify', importance: '2', recipients: [] };
  }
  if (/^ \* track (?:last )?duplicate(?: with handle: .*)?$/.test(line)) return { type: 'duplicate' };
  throw new Error(`sieve-test printed an action the converter does not know: ${JSON.stringify(line)}`);
}

/**
 * Converts the log of `dovecot-lda` with the Sieve plugin. Each performed action logs one
 * `sieve: msgid=…: [<command> action: ]<what happened>` line; a failed compile or run logs a
 * line of its own and then the implicit keep.
 */
export function parseLdaLog(log: string): EngineResult {
  if (/sieve: Failed to compile script/.test(log)) {
    return { actions: [], error: { kind: 'compile', message: firstError(log) }, errorLines: errorLines(log) };
  }
  const failed = /sieve: Execution of script .* failed, but implicit keep was successful/.test(log);
  if (failed) {
    return {
      actions: [keep()],
      error: { kind: 'runtime', message: firstError(log) },
      errorLines: [],
      ordered: false,
    };
  }
  const actions: Action[] = [];
  for (const m of log.matchAll(/sieve: msgid=[^:]*: (?:[a-z]+ action: )?(.*)$/gm)) {
    const what = m[1] ?? '';
    let a: RegExpExecArray | null;
    // "stored mail into mailbox '' (INBOX)": Dovecot names the mailbox it really used.
    if ((a = /^stored mail into mailbox '(.*)'(?: \((.*)\))?$/.exec(what)))
      actions.push(store(a[2] ?? a[1] ?? ''));
    else if ((a = /^forwarded to <(.*)>$/.exec(what))) actions.push(redirect(a[1] ?? ''));
    else if (/^Marked message to be discarded/i.test(what)) actions.push(discard());
    else throw new Error(`dovecot-lda logged an action the converter does not know: ${JSON.stringify(what)}`);
  }
  if (actions.length === 0) throw new Error(`dovecot-lda logged no Sieve action:\n${log}`);
  return { actions: normalizeActions(actions), error: null, errorLines: [], ordered: false };
}
