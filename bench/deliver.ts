/**
 * Delivery benchmark (issue 6, "Speed"): `sievert serve`'s LMTP against Dovecot's LMTP with
 * Pigeonhole, in one run, the same messages to the same recipients over the same number of
 * connections:
 *
 * - the engine benchmark's corpus (bench/lib/corpus.ts: 2 KB–200 KB, a quarter multipart, list
 *   mail, folded headers) and its 50-rule script (bench/lib/rules.ts) active for every user;
 * - 8 users, bench1@example.org … bench8@example.org, message i to user i mod 8;
 * - the same Maildir layout (`<mail>/<domain>/<local part>/Maildir`, Maildir++ folders) and the
 *   same durability: Dovecot `mail_fsync = always`, sievert `lmtp.fsync = true` (every copy
 *   fsynced before its 250);
 * - the load generator is a separate node process (bench/lib/deliver/loadgen.ts) speaking LMTP
 *   with PIPELINING over `--connections` connections kept open for the whole run.
 *
 * CPU is read from /proc around each run: utime + stime of the server's processes with the
 * children they reaped, so Dovecot's lmtp, auth, log, config and anvil processes count. After
 * each run the files that appeared in the Maildirs (new/ and cur/ of INBOX and every folder)
 * must equal the 250s, per user, so nothing is dropped silently. Runs alternate which server
 * goes first; the table gives the median of the rounds.
 *
 *   npm run bench:deliver -- [--messages 2000] [--connections 4] [--rounds 3] [--quick]
 *                            [--only sievert|dovecot] [--profile DIR] [--keep]
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { startDovecotLmtp, type DovecotLmtp } from '../test/interop/deliver/dovecot-lmtp.js';
import { startSink, type SmtpSink } from '../test/interop/deliver/smtp-sink.js';
import type { PasswdUser } from '../test/interop/managesieve/common.js';
import { startSievertServe, type SievertServe } from '../test/interop/managesieve/sievert-serve.js';
import { freePort } from '../test/interop/programs.js';
import { ensureCorpus } from './lib/corpus.js';
import type { LoadRequest, LoadResult } from './lib/deliver/loadgen.js';
import { LoadGenerator } from './lib/load-generator.js';
import { checkBuilt, fmt, log, median, onlyServer, positiveInt, runMain } from './lib/process.js';
import { treeCpuMs } from './lib/proxy/procfs.js';
import { rulesScript } from './lib/rules.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench', '.data');
const LOADGEN = join(ROOT, 'bench', 'lib', 'deliver', 'loadgen.ts');
const USERS = 8;
const SENDER = 'bench-sender@example.net';
const TARGET = 1.5;
const WARMUP = 200;

type Name = 'sievert' | 'dovecot';

interface Server {
  port: number;
  pid: number;
  maildir(user: string): string;
}

interface Figure {
  done: number;
  errors: number;
  wallMs: number;
  cpuMs: number;
  octets: number;
  /** Files that appeared in the Maildirs during the run. */
  files: number;
  /** Users whose new files differ from their 250s. */
  mismatches: string[];
  firstErrors: string[];
}

/** Messages in a Maildir: the files in new/ and cur/ of INBOX and of every `.Folder`. */
function countMaildir(maildir: string): number {
  let n = 0;
  for (const count of folderCounts([maildir]).values()) n += count;
  return n;
}

/** Messages per folder (`INBOX`, `.Work`, …) summed over the users' Maildirs. */
function folderCounts(maildirs: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const inDir = (d: string): number => {
    try {
      return readdirSync(d).length;
    } catch {
      return 0;
    }
  };
  for (const maildir of maildirs) {
    const folders: [string, string][] = [['INBOX', maildir]];
    try {
      for (const e of readdirSync(maildir, { withFileTypes: true }))
        if (e.isDirectory() && e.name.startsWith('.')) folders.push([e.name, join(maildir, e.name)]);
    } catch {
      continue;
    }
    for (const [name, dir] of folders)
      counts.set(name, (counts.get(name) ?? 0) + inDir(join(dir, 'new')) + inDir(join(dir, 'cur')));
  }
  return counts;
}

/**
 * The 50 rules with their folder hierarchy written with "." (`Lists.dev`), the separator of
 * Maildir++ and of both servers' default namespace: with "/" both refuse the names and keep
 * every message in INBOX, which would measure the fallback instead of the filing.
 */
function benchScript(): { script: string; folders: string[] } {
  const folders = new Set<string>();
  const script = rulesScript().replace(/fileinto "([^"]*)"/g, (_, f: string) => {
    const name = f.replaceAll('/', '.');
    folders.add(name);
    return `fileinto "${name}"`;
  });
  return { script, folders: [...folders] };
}

/**
 * Makes the Maildir and every folder (`.A.B/{cur,new,tmp}` with its `maildirfolder` marker)
 * ahead of the runs, on both sides, so that neither server's folder creation is measured and
 * neither falls back to INBOX for a folder that is not there. Owned by `uid`/`gid` when given
 * (Dovecot's mail user).
 */
function makeFolders(
  maildir: string,
  folders: readonly string[],
  owner?: { uid: number; gid: number },
): void {
  const made = mkdirSync(maildir, { recursive: true, mode: 0o700 });
  const dirs: string[] = [];
  if (made !== undefined) {
    // Every directory mkdir made, from the first one down to the Maildir.
    for (let d = maildir; d.length >= made.length; d = dirname(d)) dirs.push(d);
  }
  for (const folder of ['', ...folders.map((f) => `.${f}`)]) {
    const base = join(maildir, folder);
    if (folder !== '') {
      mkdirSync(base, { recursive: true, mode: 0o700 });
      writeFileSync(join(base, 'maildirfolder'), '');
      dirs.push(base, join(base, 'maildirfolder'));
    }
    for (const sub of ['cur', 'new', 'tmp']) {
      mkdirSync(join(base, sub), { recursive: true, mode: 0o700 });
      dirs.push(join(base, sub));
    }
  }
  if (owner) for (const d of dirs) chownSync(d, owner.uid, owner.gid);
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return readFileSync('/proc/loadavg', 'utf8').trim();
  }
}

/**
 * A module preloaded into `sievert serve` (NODE_OPTIONS `--import`) that profiles the whole
 * process with the inspector and writes `dir`/sievert-serve-PID.cpuprofile when it exits (a
 * graceful stop). On the main thread the inspector answers synchronously, so the exit handler
 * can stop the profiler and write the file.
 */
function profilerPreload(dir: string): string {
  return `import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.once('exit', () => {
  session.post('Profiler.stop', (err, result) => {
    if (!err) writeFileSync(${JSON.stringify(dir)} + '/sievert-serve-' + process.pid + '.cpuprofile', JSON.stringify(result.profile));
  });
});
`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      profile: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench:deliver -- [--messages N per run (2000; 500 with --quick)] [--connections C (4)]\n' +
        '         [--rounds R (3; 1 with --quick)] [--quick] [--only sievert|dovecot (one server, no ratio)]\n' +
        '         [--profile DIR (a CPU profile of sievert serve, written to DIR)] [--keep]\n',
    );
    return 0;
  }
  const quick = values.quick;
  const messages = positiveInt('messages', values.messages, quick ? 500 : 2000);
  const connections = positiveInt('connections', values.connections, 4);
  const rounds = positiveInt('rounds', values.rounds, quick ? 1 : 3);
  const measure = onlyServer(values.only);
  if (!checkBuilt(ROOT, measure('sievert'))) return 1;

  mkdirSync(DATA, { recursive: true, mode: 0o755 });
  // The same corpus for every --messages (the 2,000-message one): runs differ only in length.
  const corpus = ensureCorpus(DATA, 2000, log);
  const files = [...corpus.files];
  const recipients = Array.from({ length: USERS }, (_, i) => `bench${i + 1}@example.org`);
  const { script, folders } = benchScript();

  const work = mkdtempSync(join(tmpdir(), 'sievert-deliver-bench-'));
  chmodSync(work, 0o755);
  let sink: SmtpSink | undefined;
  let dovecot: DovecotLmtp | undefined;
  let sievert: SievertServe | undefined;
  let gen: LoadGenerator<LoadRequest, LoadResult> | undefined;
  const figures: Record<Name, Figure[]> = { sievert: [], dovecot: [] };
  try {
    sink = await startSink();
    const servers: Partial<Record<Name, Server>> = {};
    if (measure('dovecot')) {
      const d = await startDovecotLmtp({ sinkPort: sink.port, fsync: 'always', performance: true });
      if ('skip' in d) throw new Error(`cannot run Dovecot: ${d.skip}`);
      dovecot = d;
      for (const u of recipients) {
        await d.setScript(u, script);
        makeFolders(d.maildir(u), folders, { uid: d.uid, gid: d.gid });
      }
      servers.dovecot = { port: d.lmtpPort, pid: d.pid, maildir: (u) => d.maildir(u) };
    }
    if (measure('sievert')) {
      const dir = join(work, 'sievert');
      mkdirSync(dir);
      const mail = join(dir, 'mail');
      const lmtpPort = await freePort();
      const users: PasswdUser[] = recipients.map((user) => ({ user, password: '{PLAIN}bench-password' }));
      const saved = process.env.NODE_OPTIONS;
      if (values.profile !== undefined) {
        mkdirSync(values.profile, { recursive: true });
        // node refuses --cpu-prof in NODE_OPTIONS: a preloaded module runs the profiler instead.
        const preload = join(work, 'cpu-profile.mjs');
        writeFileSync(preload, profilerPreload(resolve(values.profile)));
        process.env.NODE_OPTIONS = `${saved ?? ''} --import ${pathToFileURL(preload).href}`.trim();
      }
      try {
        sievert = await startSievertServe({
          dir,
          users,
          tls: 'plain',
          plaintextWithoutTls: true,
          lmtpPort,
          logFile: join(dir, 'sievert.log'),
          extraToml: [
            // Appended inside the [lmtp] table that serveConfig opens with the listen address.
            `mail_location = ${JSON.stringify(`maildir:${mail}/%d/%n/Maildir`)}`,
            'fsync = true',
            '[smtp]',
            `relay = ${JSON.stringify(`127.0.0.1:${sink.port}`)}`,
            'tls = "none"',
          ].join('\n'),
        });
      } finally {
        if (values.profile !== undefined) {
          if (saved === undefined) delete process.env.NODE_OPTIONS;
          else process.env.NODE_OPTIONS = saved;
        }
      }
      for (const u of recipients) await sievert.putScript(u, 'main', script);
      const maildir = (u: string): string => {
        const [local, domain] = u.split('@') as [string, string];
        return join(mail, domain, local, 'Maildir');
      };
      for (const u of recipients) makeFolders(maildir(u), folders);
      servers.sievert = { port: lmtpPort, pid: sievert.pid, maildir };
    }

    gen = LoadGenerator.start<LoadRequest, LoadResult>(LOADGEN, ROOT);
    const order = (i: number): Name[] =>
      (i % 2 === 0 ? (['sievert', 'dovecot'] as const) : (['dovecot', 'sievert'] as const)).filter(measure);
    const deliver = async (n: Name, count: number): Promise<Figure> => {
      const s = servers[n]!;
      const before = recipients.map((u) => countMaildir(s.maildir(u)));
      const cpu0 = treeCpuMs(s.pid);
      const r = await gen!.run({
        op: 'deliver',
        port: s.port,
        files,
        recipients,
        sender: SENDER,
        concurrency: connections,
        count,
      });
      const cpu1 = treeCpuMs(s.pid);
      const after = recipients.map((u) => countMaildir(s.maildir(u)));
      const mismatches: string[] = [];
      recipients.forEach((u, i) => {
        const added = after[i]! - before[i]!;
        const ok = r.perRecipient[u] ?? 0;
        if (added !== ok) mismatches.push(`${u}: ${added} files for ${ok} 250s`);
      });
      const added = after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0);
      return {
        done: r.done,
        errors: r.errors,
        wallMs: r.wallMs,
        cpuMs: cpu1 - cpu0,
        octets: r.octets,
        files: added,
        mismatches,
        firstErrors: r.firstErrors,
      };
    };
    const show = (n: Name, label: string, f: Figure): void => {
      log(
        `  ${n.padEnd(7)} ${label} ${fmt((f.done * 1000) / f.wallMs, 0).padStart(6)} msg/s  ` +
          `${fmt(f.cpuMs / Math.max(1, f.done), 2)} ms CPU each  ${f.done} x 250, ${f.files} files` +
          (f.mismatches.length ? `  MISMATCH ${f.mismatches.join('; ')}` : '') +
          (f.errors ? `  ${f.errors} errors: ${f.firstErrors.join('; ')}` : ''),
      );
    };

    log(
      `${messages} messages (corpus of ${corpus.messages}, ${(corpus.bytes / 1048576).toFixed(1)} MiB), ` +
        `${connections} connections, ${USERS} users, 50-rule script; warm-up: ${WARMUP} messages per server`,
    );
    const warm: Figure[] = [];
    for (const n of order(0)) {
      const f = await deliver(n, WARMUP);
      show(n, 'warm-up', f);
      warm.push(f);
    }
    for (let round = 1; round <= rounds; round++) {
      log(`round ${round} of ${rounds}:`);
      for (const n of order(round)) {
        const f = await deliver(n, messages);
        figures[n].push(f);
        show(n, 'measured', f);
      }
    }
    const warmBad = warm.some((f) => f.errors > 0 || f.mismatches.length > 0);
    // Both got the same messages in the same numbers, so the same script must have filed them
    // alike: compare the folders (a check that sievert really ran the rules).
    const perFolder: Partial<Record<Name, Map<string, number>>> = {};
    for (const n of ['sievert', 'dovecot'] as const) {
      const s = servers[n];
      if (s) perFolder[n] = folderCounts(recipients.map((u) => s.maildir(u)));
    }
    return report(figures, perFolder, {
      messages,
      connections,
      rounds,
      corpus: `${corpus.messages} messages, ${(corpus.bytes / 1048576).toFixed(1)} MiB`,
      warmBad,
    });
  } finally {
    await gen?.stop();
    await sievert?.stop();
    await dovecot?.stop();
    await sink?.close();
    if (values.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
    if (values.profile !== undefined)
      log(
        `CPU profile of sievert serve in ${resolve(values.profile)}: ` +
          'node --import tsx bench/lib/deliver/top-costs.ts FILE lists the top costs',
      );
  }
}

function report(
  figures: Record<Name, Figure[]>,
  folders: Partial<Record<Name, Map<string, number>>>,
  o: { messages: number; connections: number; rounds: number; corpus: string; warmBad: boolean },
): number {
  const rate = (fs: Figure[]): number => median(fs.map((f) => (f.done * 1000) / f.wallMs));
  const cpu = (fs: Figure[]): number => median(fs.map((f) => f.cpuMs / Math.max(1, f.done)));
  const mib = (fs: Figure[]): number => median(fs.map((f) => f.octets / 1048576 / (f.wallMs / 1000)));
  const sum = (fs: Figure[], k: 'done' | 'errors' | 'files'): number => fs.reduce((a, f) => a + f[k], 0);
  const lines: string[] = [];
  lines.push('');
  lines.push(
    `Delivery (LMTP): sievert serve vs Dovecot lmtp + Pigeonhole, ${o.messages} messages per run from the ` +
      `engine corpus (${o.corpus}), 50-rule script, ${USERS} users, ${o.connections} connections, fsync on both, ` +
      `${o.rounds} round(s) (medians), ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}`,
  );
  lines.push(`load: ${uptime()}`);
  lines.push('');
  lines.push('| server | msg/s | MiB/s | CPU ms per message | 250s | files in Maildirs | errors |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  let bad = o.warmBad;
  for (const n of ['sievert', 'dovecot'] as const) {
    const fs = figures[n];
    if (fs.length === 0) continue;
    const e = sum(fs, 'errors');
    if (e > 0 || fs.some((f) => f.mismatches.length > 0)) bad = true;
    lines.push(
      `| ${n === 'sievert' ? 'sievert' : 'Dovecot'} | ${fmt(rate(fs), 0)} | ${fmt(mib(fs), 1)} | ${fmt(cpu(fs), 2)} | ` +
        `${sum(fs, 'done')} | ${sum(fs, 'files')} | ${e} |`,
    );
  }
  lines.push('');
  const s = figures.sievert;
  const d = figures.dovecot;
  if (s.length > 0 && d.length > 0) {
    const ratio = rate(s) / rate(d);
    lines.push(
      `sievert / Dovecot messages per second: ${fmt(ratio, 2)}x (target ${TARGET}x: ${ratio >= TARGET ? 'met' : 'NOT met'})`,
    );
    // The two runs of a round are back to back, so their ratio sees the same machine load.
    const perRound = s.map((f, i) => {
      const g = d[i];
      return g ? (f.done / f.wallMs / (g.done / g.wallMs)).toFixed(2) : '-';
    });
    lines.push(`per round: ${perRound.map((r) => `${r}x`).join(', ')}`);
    lines.push(`Dovecot / sievert CPU per message: ${fmt(cpu(d) / cpu(s), 2)}x`);
  }
  const fs = folders.sievert;
  const fd = folders.dovecot;
  if (fs && fd) {
    const names = [...new Set([...fs.keys(), ...fd.keys()])].sort();
    const differ = names.filter((k) => (fs.get(k) ?? 0) !== (fd.get(k) ?? 0));
    const used = names.filter((k) => (fs.get(k) ?? 0) > 0 || (fd.get(k) ?? 0) > 0);
    lines.push(
      differ.length === 0
        ? `folders: the same ${used.length} folders with the same message counts in both (INBOX ${fs.get('INBOX') ?? 0})`
        : `folders that differ (sievert / Dovecot; see docs/benchmarks.md): ${differ.map((k) => `${k} ${fs.get(k) ?? 0}/${fd.get(k) ?? 0}`).join(', ')}`,
    );
    // Not a failure: the check is about mail kept or lost. A message just under a `size :over`
    // limit can differ, since Dovecot measures it with the headers it adds (Return-Path,
    // Delivered-To, Received) and sievert as received.
  }
  for (const n of ['sievert', 'dovecot'] as const)
    for (const f of figures[n]) for (const m of f.mismatches) lines.push(`${n}: MISMATCH ${m}`);
  lines.push(
    bad
      ? 'check FAILED: errors, or Maildir files that differ from the 250s (see above)'
      : 'check passed: no errors, and every 250 has exactly one new file in its Maildir',
  );
  process.stdout.write(lines.join('\n') + '\n');
  return bad ? 1 : 0;
}

runMain(main);
