/**
 * ManageSieve benchmark (issue 5, "Speed"): `sievert serve` against Dovecot's managesieved
 * (Pigeonhole), both on plain TCP with plaintext logins allowed, the same users with the same
 * password hashes, driven by the same load generator (a separate node process) in one run:
 *
 * - sessions per second (connect, greeting, AUTHENTICATE PLAIN, LISTSCRIPTS, LOGOUT) with 1, 8
 *   and 32 concurrent clients;
 * - PUTSCRIPT per second of a 10 KB script (the 50-rule webmail-style filter, more rules to
 *   10,240 octets) with 1 and 8 clients, each logged in once as its own user.
 *
 * CPU is read from /proc around each phase: utime + stime of the server's processes, with the
 * children they reaped (cutime + cstime), so Dovecot's per-session managesieve processes count
 * (master, managesieve-login, managesieve, auth, log, config, anvil). Phases run in rounds,
 * alternating which server goes first; the table gives the median of the rounds.
 *
 *   npm run bench:managesieve -- [--sessions 3000] [--puts 3000] [--rounds 3] [--max-seconds 5]
 *                                [--scheme PLAIN|SHA512-CRYPT] [--quick] [--keep]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import {
  startDovecotManageSieve,
  type DovecotManageSieve,
} from '../test/interop/managesieve/dovecot-managesieve.js';
import type { PasswdUser } from '../test/interop/managesieve/common.js';
import { startSievertServe, type SievertServe } from '../test/interop/managesieve/sievert-serve.js';
import type { BenchUser, LoadRequest, LoadResult } from './lib/managesieve/loadgen.js';
import { treeCpuMs } from './lib/proxy/procfs.js';
import { LoadGenerator } from './lib/load-generator.js';
import { checkBuilt, fmt, log, median, onlyServer, positiveInt, runMain } from './lib/process.js';
import { largeRulesScript } from './lib/rules.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LOADGEN = join(ROOT, 'bench', 'lib', 'managesieve', 'loadgen.ts');
const PASSWORD = 'bench-password';
const USERS = 32;
const SCRIPT_OCTETS = 10 * 1024;
const SESSION_CONCURRENCY = [1, 8, 32] as const;
const PUT_CONCURRENCY = [1, 8] as const;
const TARGET_SESSIONS = 5;
const TARGET_PUTS = 2;

type Name = 'sievert' | 'dovecot';
type Phase = `sessions-${number}` | `putscript-${number}`;

/** The load generator puts `# save CCC-NNNNNNNNN` CRLF (22 octets) before the script. */
const SAVE_LINE_OCTETS = 22;

/**
 * The 50 rules, then more of them, padded with a comment so that with the load generator's
 * first line every PUTSCRIPT carries exactly 10,240 octets.
 */
function tenKilobyteScript(): string {
  const octets = SCRIPT_OCTETS - SAVE_LINE_OCTETS;
  const all = largeRulesScript(2);
  const head = all.slice(0, all.lastIndexOf('# rule:[', octets - 64));
  const pad = octets - Buffer.byteLength(head) - 3;
  const script = `${head}#${'-'.repeat(pad)}\r\n`;
  if (Buffer.byteLength(script) !== octets) throw new Error(`the script is not ${octets} octets`);
  return script;
}

interface Figure {
  done: number;
  errors: number;
  wallMs: number;
  cpuMs: number;
  firstErrors: string[];
}

/** The stored hash both servers verify: `{PLAIN}…` or a `{SHA512-CRYPT}$6$…` from doveadm. */
function storedPassword(scheme: string): string {
  if (scheme === 'PLAIN') return `{PLAIN}${PASSWORD}`;
  return execFileSync('doveadm', ['pw', '-s', scheme, '-p', PASSWORD], { encoding: 'utf8' }).trim();
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      sessions: { type: 'string' },
      puts: { type: 'string' },
      rounds: { type: 'string' },
      'max-seconds': { type: 'string' },
      scheme: { type: 'string', default: 'PLAIN' },
      quick: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench:managesieve -- [--sessions N per phase (3000; 1000 with --quick)] [--puts N per phase (3000; 1000)]\n' +
        '         [--rounds R (3; 1)] [--max-seconds T per phase (5; 2)] [--scheme PLAIN|SHA512-CRYPT (PLAIN)] [--quick] [--keep]\n' +
        '         [--only sievert|dovecot (one server, no ratios)]\n',
    );
    return 0;
  }
  const quick = values.quick;
  const sessions = positiveInt('sessions', values.sessions, quick ? 1000 : 3000);
  const puts = positiveInt('puts', values.puts, quick ? 1000 : 3000);
  const rounds = positiveInt('rounds', values.rounds, quick ? 1 : 3);
  const maxMs = positiveInt('max-seconds', values['max-seconds'], quick ? 2 : 5) * 1000;
  const scheme = values.scheme.toUpperCase();
  if (scheme !== 'PLAIN' && scheme !== 'SHA512-CRYPT')
    throw new Error('--scheme must be PLAIN or SHA512-CRYPT');

  const measure = onlyServer(values.only);
  if (!checkBuilt(ROOT, measure('sievert'))) return 1;

  const stored = storedPassword(scheme);
  const passwd: PasswdUser[] = Array.from({ length: USERS }, (_, i) => ({
    user: `bench${i}@example.com`,
    password: stored,
  }));
  const users: BenchUser[] = passwd.map((u) => ({ user: u.user, password: PASSWORD }));
  const script = tenKilobyteScript();

  const work = mkdtempSync(join(tmpdir(), 'sievert-ms-bench-'));
  let dovecot: DovecotManageSieve | undefined;
  let sievert: SievertServe | undefined;
  let gen: LoadGenerator<LoadRequest, LoadResult> | undefined;
  const figures: Record<Name, Record<Phase, Figure[]>> = { sievert: {}, dovecot: {} };
  try {
    if (measure('dovecot'))
      dovecot = await startDovecotManageSieve({ name: 'bench', users: passwd, performance: true });
    if (measure('sievert'))
      sievert = await startSievertServe({
        dir: work,
        users: passwd,
        tls: 'plain',
        plaintextWithoutTls: true,
        managesieve: { max_connections_per_ip: 1000 },
        logFile: join(work, 'sievert.log'),
      });
    const servers: Partial<Record<Name, { port: number; pid: number }>> = {
      ...(sievert ? { sievert: { port: sievert.port, pid: sievert.pid } } : {}),
      ...(dovecot ? { dovecot: { port: dovecot.port, pid: dovecot.pid } } : {}),
    };
    gen = LoadGenerator.start<LoadRequest, LoadResult>(LOADGEN, ROOT);
    const order = (i: number): Name[] =>
      (i % 2 === 0 ? (['sievert', 'dovecot'] as const) : (['dovecot', 'sievert'] as const)).filter(measure);
    const measured = async (n: Name, phase: Phase, request: LoadRequest): Promise<void> => {
      const pid = servers[n]!.pid;
      const cpu0 = treeCpuMs(pid);
      const r = await gen!.run(request);
      const cpu1 = treeCpuMs(pid);
      const f: Figure = {
        done: r.done,
        errors: r.errors,
        wallMs: r.wallMs,
        cpuMs: cpu1 - cpu0,
        firstErrors: r.firstErrors,
      };
      (figures[n][phase] ??= []).push(f);
      const rate = (f.done * 1000) / f.wallMs;
      log(
        `  ${n.padEnd(7)} ${phase.padEnd(12)} ${fmt(rate, 0).padStart(7)}/s  ${fmt(f.cpuMs / Math.max(1, f.done), 2)} ms CPU each` +
          (f.errors ? `  ${f.errors} errors: ${f.firstErrors.join('; ')}` : ''),
      );
    };

    log(`scheme ${scheme}; warm-up: 500 sessions and 200 PUTSCRIPTs at 8 clients per server`);
    for (const n of order(0)) {
      const port = servers[n]!.port;
      await gen.run({ op: 'sessions', port, users, concurrency: 8, count: 500, maxMs });
      await gen.run({ op: 'putscript', port, users, concurrency: 8, count: 200, maxMs, script });
    }
    for (let round = 1; round <= rounds; round++) {
      log(`round ${round} of ${rounds}:`);
      for (const n of order(round)) {
        const port = servers[n]!.port;
        for (const c of SESSION_CONCURRENCY)
          await measured(n, `sessions-${c}`, {
            op: 'sessions',
            port,
            users,
            concurrency: c,
            count: sessions,
            maxMs,
          });
        for (const c of PUT_CONCURRENCY)
          await measured(n, `putscript-${c}`, {
            op: 'putscript',
            port,
            users,
            concurrency: c,
            count: puts,
            maxMs,
            script,
          });
      }
    }
  } finally {
    await gen?.stop();
    await sievert?.stop();
    await dovecot?.stop();
    if (values.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  return report(figures, { scheme, rounds, sessions, puts, maxMs });
}

function report(
  figures: Record<Name, Record<Phase, Figure[]>>,
  o: { scheme: string; rounds: number; sessions: number; puts: number; maxMs: number },
): number {
  const phases: Phase[] = [
    ...SESSION_CONCURRENCY.map((c) => `sessions-${c}` as Phase),
    ...PUT_CONCURRENCY.map((c) => `putscript-${c}` as Phase),
  ];
  const rate = (fs: Figure[]): number => median(fs.map((f) => (f.done * 1000) / f.wallMs));
  const cpu = (fs: Figure[]): number => median(fs.map((f) => f.cpuMs / Math.max(1, f.done)));
  const errors = (fs: Figure[]): number => fs.reduce((a, f) => a + f.errors, 0);
  const lines: string[] = [];
  lines.push(
    `ManageSieve: sievert serve vs Dovecot managesieved, plain TCP, ${o.scheme} passwords, ` +
      `${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(2)}, ${o.rounds} round(s) (medians), ` +
      `up to ${o.sessions} sessions / ${o.puts} PUTSCRIPTs or ${o.maxMs / 1000} s per phase`,
  );
  lines.push('');
  lines.push(
    '| phase | clients | sievert /s | Dovecot /s | ratio | sievert CPU ms each | Dovecot CPU ms each | CPU ratio | errors |',
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  let totalErrors = 0;
  const verdicts: string[] = [];
  for (const p of phases) {
    const s = figures.sievert[p] ?? [];
    const d = figures.dovecot[p] ?? [];
    const [kind, clients] = p.split('-') as [string, string];
    const ratio = rate(s) / rate(d);
    const cpuRatio = cpu(d) / cpu(s);
    const e = errors(s) + errors(d);
    totalErrors += e;
    lines.push(
      `| ${kind === 'sessions' ? 'sessions' : 'PUTSCRIPT 10 KB'} | ${clients} | ${fmt(rate(s), 0)} | ${fmt(rate(d), 0)} | ` +
        `**${fmt(ratio, 2)}x** | ${fmt(cpu(s), 3)} | ${fmt(cpu(d), 3)} | ${fmt(cpuRatio, 2)}x | ${e} |`,
    );
    // With --only there is no ratio, so no verdict.
    const target = kind === 'sessions' ? TARGET_SESSIONS : TARGET_PUTS;
    if (Number.isFinite(ratio))
      verdicts.push(`${p}: ${fmt(ratio, 2)}x (target ${target}x: ${ratio >= target ? 'met' : 'NOT met'})`);
  }
  lines.push('');
  lines.push(...verdicts);
  lines.push(
    totalErrors === 0
      ? 'errors: none (zero-error check passed)'
      : `errors: ${totalErrors} (zero-error check FAILED)`,
  );
  process.stdout.write(lines.join('\n') + '\n');
  return totalErrors === 0 ? 0 : 1;
}

runMain(main);
