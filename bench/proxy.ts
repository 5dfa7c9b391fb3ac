/**
 * Mail proxy benchmark (issue 3, "Performance"): `sievert proxy` against nginx's mail proxy, both
 * in front of the same fake IMAP backend, driven by the same load generator (a separate node
 * process), in one run. For each proxy: logins per second and CPU per login at 16 clients,
 * bridged throughput and CPU per GiB with 1 and 4 streams, memory per idle bridged session,
 * errors. CPU is read around each phase from /proc (the threads' schedstat run time, in ns;
 * utime + stime from /proc/PID/stat recorded alongside), memory from /proc/PID/status (VmRSS);
 * for nginx, master and worker together.
 *
 * Logins and bridging run in rounds, alternating which proxy goes first; the table gives the
 * median of the rounds.
 *
 *   npm run bench:proxy -- [--logins 15000] [--mib 1024] [--sessions 1000] [--rounds 5] [--quick] [--keep]
 *
 * SIEVERT_BENCH_NODE_ARGS (space-separated) passes node flags to sievert's process, for trying a
 * V8 setting: `--max-semi-space-size=64` moved CPU per login by under 3 %, within the noise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { startBackend, type FakeBackend } from './lib/proxy/backend.js';
import type { LoadRequest, LoadResult } from './lib/proxy/loadgen.js';
import {
  NGINX,
  NGINX_MAIL_MODULE,
  startNginx,
  startSievert,
  type RunningProxy,
} from './lib/proxy/proxies.js';
import { LoadGenerator } from './lib/load-generator.js';
import { checkBuilt, fmt, log, median, pad, positiveInt, runMain } from './lib/process.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench', '.data');
const LOADGEN = join(ROOT, 'bench', 'lib', 'proxy', 'loadgen.ts');
const CONCURRENCY = 16;
/** Each round's logins per proxy are measured in this many interleaved slices. */
const LOGIN_SLICES = 6;
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

type Name = 'sievert' | 'nginx';
const NAMES: readonly Name[] = ['sievert', 'nginx'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface PhaseFigure {
  done: number;
  errors: number;
  bytes: number;
  wallMs: number;
  /** CPU of the proxy (all its processes and threads) during the phase, from schedstat (ns). */
  cpuMs: number;
  /** The same from utime + stime in /proc/PID/stat (10 ms ticks), as a cross-check. */
  statCpuMs: number;
  loadgenCpuMs: number;
  firstErrors: string[];
}

/**
 * Two batches of idle sessions, opened one after the other: the first batch's figure includes
 * whatever the process grows once (node: its heap's young generation and spare pages), the
 * second's is what each further session costs.
 */
interface MemoryFigure {
  sessions: [number, number];
  errors: number;
  rssKiB: [number, number, number];
  kibPerSession: [number, number];
  firstErrors: string[];
}

interface ProxyFigures {
  startRssKiB: number;
  warmup: PhaseFigure[];
  memory?: MemoryFigure;
  /** One figure per round. */
  logins: PhaseFigure[];
  stream1: PhaseFigure[];
  stream4: PhaseFigure[];
  closeErrors: number;
  errors: number;
}

/** Runs one load request against `proxy` and charges the proxy's CPU delta to it. */
async function measured(
  gen: LoadGenerator<LoadRequest, LoadResult>,
  proxy: RunningProxy,
  request: LoadRequest,
): Promise<PhaseFigure> {
  const cpu0 = proxy.processes.cpuMs();
  const run0 = proxy.processes.runtimeMs();
  const r = await gen.run(request);
  const run1 = proxy.processes.runtimeMs();
  const cpu1 = proxy.processes.cpuMs();
  return {
    done: r.done,
    errors: r.errors,
    bytes: r.bytes,
    wallMs: r.wallMs,
    cpuMs: run1 - run0,
    statCpuMs: cpu1 - cpu0,
    loadgenCpuMs: r.cpuMs,
    firstErrors: r.firstErrors,
  };
}

/** Two measurements of the same kind as one (the slices of a round). */
function addFigures(a: PhaseFigure, b: PhaseFigure): PhaseFigure {
  return {
    done: a.done + b.done,
    errors: a.errors + b.errors,
    bytes: a.bytes + b.bytes,
    wallMs: a.wallMs + b.wallMs,
    cpuMs: a.cpuMs + b.cpuMs,
    statCpuMs: a.statCpuMs + b.statCpuMs,
    loadgenCpuMs: a.loadgenCpuMs + b.loadgenCpuMs,
    firstErrors: [...a.firstErrors, ...b.firstErrors].slice(0, 10),
  };
}

/** RSS after things settle: median of a few readings. */
async function steadyRss(proxy: RunningProxy): Promise<number> {
  await sleep(1000);
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(proxy.processes.rssKiB());
    await sleep(100);
  }
  return median(readings);
}

function reportErrors(what: string, f: { errors: number; firstErrors: string[] }): void {
  if (f.errors === 0) return;
  log(`    ${f.errors} error(s) in ${what}: ${f.firstErrors.join('; ')}`);
}

/** `nginx -v` (it writes to stderr), e.g. "nginx/1.22.1". */
function nginxVersion(): string {
  try {
    const out = execFileSync('sh', ['-c', `${NGINX} -v 2>&1`], { encoding: 'utf8' }).trim();
    return out.replace(/^nginx version: /, '') || 'unknown';
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      logins: { type: 'string' },
      mib: { type: 'string' },
      sessions: { type: 'string' },
      rounds: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'max-seconds': { type: 'string' },
      'log-level': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench:proxy -- [--logins N per proxy (15000; 3000 with --quick)] [--mib M per stream (1024; 256)]\n' +
        '         [--sessions S (1000)] [--rounds R (5; 3)] [--quick] [--max-seconds T for all login rounds (20)]\n' +
        '         [--log-level warn|info (both proxies)] [--cpu-prof (profile sievert into bench/.data/proxy-prof/)] [--keep]\n',
    );
    return 0;
  }
  const quick = values.quick;
  const logins = positiveInt('logins', values.logins, quick ? 3_000 : 15_000);
  const mibPerStream = positiveInt('mib', values.mib, quick ? 256 : 1024);
  const sessions = positiveInt('sessions', values.sessions, 1_000);
  const rounds = positiveInt('rounds', values.rounds, quick ? 3 : 5);
  const maxSeconds = positiveInt('max-seconds', values['max-seconds'], 20);
  const logLevel = values['log-level'] ?? 'warn';
  if (!['warn', 'info', 'error'].includes(logLevel))
    throw new Error('--log-level must be warn, info or error');
  const warmupLogins = quick ? 1_000 : 3_000;
  const loginsPerRound = Math.ceil(logins / rounds);

  for (const f of [NGINX, NGINX_MAIL_MODULE]) {
    if (!existsSync(f)) {
      log(`${f} is missing (Debian: nginx-light and libnginx-mod-mail).`);
      return 1;
    }
  }
  if (!checkBuilt(ROOT)) return 1;

  mkdirSync(DATA, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'sievert-proxy-bench-'));
  const profDir = join(DATA, 'proxy-prof');
  const proxies: Partial<Record<Name, RunningProxy>> = {};
  let backend: FakeBackend | undefined;
  let gen: LoadGenerator<LoadRequest, LoadResult> | undefined;
  const fresh = (): ProxyFigures => ({
    startRssKiB: 0,
    warmup: [],
    logins: [],
    stream1: [],
    stream4: [],
    closeErrors: 0,
    errors: 0,
  });
  const figures: Record<Name, ProxyFigures> = { sievert: fresh(), nginx: fresh() };
  const ver = nginxVersion();
  const startedAt = new Date();
  const loadBefore = loadavg();
  try {
    backend = await startBackend();
    log(`fake IMAP backend on 127.0.0.1:${backend.port}`);
    if (values['cpu-prof']) {
      rmSync(profDir, { recursive: true, force: true });
      mkdirSync(profDir, { recursive: true });
    }
    proxies.sievert = await startSievert({
      root: ROOT,
      dir: join(work, 'sievert'),
      backendPort: backend.port,
      sessions,
      logLevel,
      nodeArgs: [
        ...(process.env['SIEVERT_BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
        ...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
      ],
    });
    proxies.nginx = await startNginx({
      dir: join(work, 'nginx'),
      backendPort: backend.port,
      sessions,
      logLevel,
    });
    log(`sievert proxy on port ${proxies.sievert.port} (pid ${proxies.sievert.processes.pid})`);
    log(
      `nginx ${ver} mail proxy on port ${proxies.nginx.port} (pids ${proxies.nginx.processes.pids().join(', ')})`,
    );
    gen = LoadGenerator.start<LoadRequest, LoadResult>(LOADGEN, ROOT, sessions * 2 + 4096);
    const g = gen;
    // Alternate which proxy goes first, so that neither always runs on a just-warmed machine.
    const order = (i: number): Name[] => (i % 2 === 0 ? ['sievert', 'nginx'] : ['nginx', 'sievert']);
    const proxy = (n: Name): RunningProxy => proxies[n]!;

    for (const n of NAMES) figures[n].startRssKiB = proxy(n).processes.rssKiB();

    const warmUp = async (count: number, mib: number): Promise<void> => {
      for (const n of order(0)) {
        const p = proxy(n);
        const w1 = await measured(g, p, {
          op: 'logins',
          port: p.port,
          count,
          concurrency: CONCURRENCY,
          maxMs: maxSeconds * 1000,
        });
        const w2 = await measured(g, p, {
          op: 'stream',
          port: p.port,
          streams: 2,
          bytes: mib * MIB,
          maxMs: 30_000,
        });
        figures[n].warmup.push(w1, w2);
        reportErrors(`${n} warm-up`, w1);
        reportErrors(`${n} warm-up`, w2);
      }
    };

    // Memory first, on processes that have done little yet: later phases leave garbage behind
    // whose collection during the measurement would hide the sessions' own memory. A short
    // warm-up first runs every code path once (code loaded and compiled is not per session).
    log(
      `memory: twice ${sessions} idle bridged sessions (after 200 logins and two 4 MiB streams through each proxy)`,
    );
    await warmUp(200, 4);
    for (const n of order(1)) {
      const p = proxy(n);
      const rss0 = await steadyRss(p);
      const r1 = await g.run({ op: 'open', port: p.port, count: sessions, concurrency: 32 });
      const rss1 = await steadyRss(p);
      const r2 = await g.run({ op: 'open', port: p.port, count: sessions, concurrency: 32 });
      const rss2 = await steadyRss(p);
      const closed = await g.run({ op: 'close-idle' });
      const per = (kib: number, count: number): number => (count > 0 ? kib / count : Number.NaN);
      const m: MemoryFigure = {
        sessions: [r1.done, r2.done],
        errors: r1.errors + r2.errors,
        rssKiB: [rss0, rss1, rss2],
        kibPerSession: [per(rss1 - rss0, r1.done), per(rss2 - rss1, r2.done)],
        firstErrors: [...r1.firstErrors, ...r2.firstErrors],
      };
      figures[n].memory = m;
      figures[n].closeErrors += closed.errors;
      log(
        `  ${pad(n, 8)} RSS ${fmt(rss0 / 1024, 1)} → ${fmt(rss1 / 1024, 1)} → ${fmt(rss2 / 1024, 1)} MiB: ` +
          `${fmt(m.kibPerSession[0], 1)} KiB per session in the first batch, ${fmt(m.kibPerSession[1], 1)} in the second`,
      );
      reportErrors(`${n} idle sessions`, m);
      reportErrors(`${n} idle sessions (still answering after the measurement)`, closed);
      await sleep(500);
    }

    log(`warm-up: ${warmupLogins} logins and two 32 MiB streams through each proxy (not counted)`);
    await warmUp(warmupLogins, 32);

    for (let round = 1; round <= rounds; round++) {
      log(`round ${round} of ${rounds}:`);
      // A round's logins run in interleaved slices, the first proxy alternating: the machine's
      // state drifts (other work, frequency), and so both proxies meet the same drift.
      const sliced: Partial<Record<Name, PhaseFigure>> = {};
      const perSlice = Math.ceil(loginsPerRound / LOGIN_SLICES);
      for (let slice = 0; slice < LOGIN_SLICES; slice++) {
        for (const n of order(round + slice)) {
          const p = proxy(n);
          const f = await measured(g, p, {
            op: 'logins',
            port: p.port,
            count: perSlice,
            concurrency: CONCURRENCY,
            maxMs: (maxSeconds * 1000) / rounds / LOGIN_SLICES,
          });
          sliced[n] = sliced[n] ? addFigures(sliced[n], f) : f;
        }
      }
      for (const n of order(round)) {
        const f = sliced[n]!;
        figures[n].logins.push(f);
        log(
          `  ${pad(n, 8)} ${f.done} logins in ${fmt(f.wallMs / 1000, 2)} s: ${fmt(f.done / (f.wallMs / 1000), 0)}/s, ` +
            `${fmt(f.cpuMs / f.done, 3)} ms CPU each`,
        );
        reportErrors(`${n} logins`, f);
      }
      for (const [key, streams] of [
        ['stream1', 1],
        ['stream4', 4],
      ] as const) {
        for (const n of order(round)) {
          const p = proxy(n);
          const f = await measured(g, p, {
            op: 'stream',
            port: p.port,
            streams,
            bytes: mibPerStream * MIB,
            maxMs: 60_000,
          });
          figures[n][key].push(f);
          log(
            `  ${pad(n, 8)} ${streams} stream${streams > 1 ? 's' : ' '} ${fmt(f.bytes / MIB, 0)} MiB in ${fmt(f.wallMs / 1000, 2)} s: ` +
              `${fmt(f.bytes / MIB / (f.wallMs / 1000), 0)} MiB/s, ${fmt(f.cpuMs / 1000 / (f.bytes / GIB), 3)} CPU s per GiB`,
          );
          reportErrors(`${n} ${streams} stream(s)`, f);
        }
      }
    }

    for (const n of NAMES) {
      const f = figures[n];
      const sum = (list: PhaseFigure[]): number => list.reduce((s, w) => s + w.errors, 0);
      f.errors =
        sum(f.warmup) +
        (f.memory?.errors ?? 0) +
        f.closeErrors +
        sum(f.logins) +
        sum(f.stream1) +
        sum(f.stream4);
      if (!existsSync(`/proc/${proxy(n).processes.pid}`)) {
        log(`${n} is no longer running: see ${proxy(n).logs.join(', ')}`);
        f.errors++;
      }
    }
    if (backend.stats.bad > 0) log(`the backend refused ${backend.stats.bad} command(s): a benchmark bug`);
  } finally {
    await gen?.stop();
    for (const n of NAMES) await proxies[n]?.stop();
    await backend?.close();
    if (values.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }

  const results = summarize(figures);
  const out = {
    date: startedAt.toISOString(),
    node: process.version,
    nginx: ver,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadavg: { before: loadBefore, after: loadavg() },
    options: {
      logins,
      rounds,
      loginsPerRound,
      mibPerStream,
      sessions,
      quick,
      maxSeconds,
      logLevel,
      concurrency: CONCURRENCY,
      warmupLogins,
    },
    figures,
    ...results,
  };
  writeFileSync(join(DATA, 'proxy-results.json'), JSON.stringify(out, null, 2) + '\n');
  report(results, { logins, rounds, mibPerStream, sessions, ver, load: loadBefore[0] ?? 0 });
  log(`results written to ${relative(ROOT, join(DATA, 'proxy-results.json'))}`);
  if (values['cpu-prof'])
    log(
      `sievert CPU profile in ${relative(ROOT, profDir)}/ (profiling slows sievert: its figures are not comparable)`,
    );
  const errors = figures.sievert.errors + figures.nginx.errors + (backend?.stats.bad ?? 0);
  return errors > 0 ? 1 : 0;
}

interface Row {
  label: string;
  unit: string;
  digits: number;
  sievert: number;
  nginx: number;
}

interface Target {
  label: string;
  /** UNSURE: the figure could not be measured (RSS fell while sessions were opened: a GC). */
  status: 'MET' | 'NOT MET' | 'UNSURE';
  detail: string;
}

const status = (met: boolean): Target['status'] => (met ? 'MET' : 'NOT MET');

/** CPU from utime + stime (10 ms ticks), summed over the rounds: a check on the schedstat figures. */
interface CrossCheck {
  cpuMsPerLogin: number;
  cpuSPerGib1: number;
  cpuSPerGib4: number;
}

function crossCheck(x: ProxyFigures): CrossCheck {
  const total = (list: PhaseFigure[], v: (p: PhaseFigure) => number): number =>
    list.reduce((sum, p) => sum + v(p), 0);
  const perGib = (list: PhaseFigure[]): number =>
    total(list, (p) => p.statCpuMs) / 1000 / (total(list, (p) => p.bytes) / GIB);
  return {
    cpuMsPerLogin: total(x.logins, (p) => p.statCpuMs) / total(x.logins, (p) => p.done),
    cpuSPerGib1: perGib(x.stream1),
    cpuSPerGib4: perGib(x.stream4),
  };
}

function summarize(f: Record<Name, ProxyFigures>): {
  rows: Row[];
  targets: Target[];
  crossCheck: Record<Name, CrossCheck>;
} {
  const per = (n: Name) => {
    const x = f[n];
    // Each figure is the median over the rounds.
    const med = (list: PhaseFigure[], v: (p: PhaseFigure) => number): number =>
      list.length > 0 ? median(list.map(v)) : Number.NaN;
    const rate = (p: PhaseFigure): number => p.done / (p.wallMs / 1000);
    const mibs = (p: PhaseFigure): number => p.bytes / MIB / (p.wallMs / 1000);
    const perGib = (p: PhaseFigure): number => p.cpuMs / 1000 / (p.bytes / GIB);
    return {
      loginsPerSecond: med(x.logins, rate),
      cpuMsPerLogin: med(x.logins, (p) => p.cpuMs / p.done),
      mibPerSecond1: med(x.stream1, mibs),
      cpuSPerGib1: med(x.stream1, perGib),
      mibPerSecond4: med(x.stream4, mibs),
      cpuSPerGib4: med(x.stream4, perGib),
      kibPerSession1: x.memory?.kibPerSession[0] ?? Number.NaN,
      kibPerSession2: x.memory?.kibPerSession[1] ?? Number.NaN,
      startRssMiB: x.startRssKiB / 1024,
      errors: x.errors,
    };
  };
  const s = per('sievert');
  const g = per('nginx');
  const rows: Row[] = [
    {
      label: `logins/s, ${CONCURRENCY} clients`,
      unit: '',
      digits: 0,
      sievert: s.loginsPerSecond,
      nginx: g.loginsPerSecond,
    },
    { label: 'CPU ms per login', unit: 'ms', digits: 3, sievert: s.cpuMsPerLogin, nginx: g.cpuMsPerLogin },
    {
      label: 'bridged MiB/s, 1 stream',
      unit: '',
      digits: 0,
      sievert: s.mibPerSecond1,
      nginx: g.mibPerSecond1,
    },
    { label: 'CPU s per GiB, 1 stream', unit: 's', digits: 3, sievert: s.cpuSPerGib1, nginx: g.cpuSPerGib1 },
    {
      label: 'bridged MiB/s, 4 streams',
      unit: '',
      digits: 0,
      sievert: s.mibPerSecond4,
      nginx: g.mibPerSecond4,
    },
    { label: 'CPU s per GiB, 4 streams', unit: 's', digits: 3, sievert: s.cpuSPerGib4, nginx: g.cpuSPerGib4 },
    {
      label: 'KiB per idle session, 1st batch',
      unit: 'KiB',
      digits: 1,
      sievert: s.kibPerSession1,
      nginx: g.kibPerSession1,
    },
    {
      label: 'KiB per idle session, 2nd batch',
      unit: 'KiB',
      digits: 1,
      sievert: s.kibPerSession2,
      nginx: g.kibPerSession2,
    },
    { label: 'RSS at start, MiB', unit: 'MiB', digits: 1, sievert: s.startRssMiB, nginx: g.startRssMiB },
    { label: 'errors', unit: '', digits: 0, sievert: s.errors, nginx: g.errors },
  ];
  const ratio = (a: number, b: number): number => a / b;
  const loginRatio = ratio(s.cpuMsPerLogin, g.cpuMsPerLogin);
  const gib1 = ratio(s.cpuSPerGib1, g.cpuSPerGib1);
  const gib4 = ratio(s.cpuSPerGib4, g.cpuSPerGib4);
  const targets: Target[] = [
    {
      label: 'CPU per login ≤ nginx × 2',
      status: status(loginRatio <= 2),
      detail: `${fmt(loginRatio, 2)}x (${fmt(s.cpuMsPerLogin, 3)} vs ${fmt(g.cpuMsPerLogin, 3)} ms)`,
    },
    {
      label: 'CPU per GiB bridged ≤ nginx × 1.2, 1 stream',
      status: status(gib1 <= 1.2),
      detail: `${fmt(gib1, 2)}x (${fmt(s.cpuSPerGib1, 3)} vs ${fmt(g.cpuSPerGib1, 3)} s)`,
    },
    {
      label: 'CPU per GiB bridged ≤ nginx × 1.2, 4 streams',
      status: status(gib4 <= 1.2),
      detail: `${fmt(gib4, 2)}x (${fmt(s.cpuSPerGib4, 3)} vs ${fmt(g.cpuSPerGib4, 3)} s)`,
    },
    {
      // The worse of the two batches.
      label: '≤ 32 KiB per idle bridged session',
      status:
        Math.min(s.kibPerSession1, s.kibPerSession2) < 0
          ? 'UNSURE'
          : status(Math.max(s.kibPerSession1, s.kibPerSession2) <= 32),
      detail: `${fmt(s.kibPerSession1, 1)} / ${fmt(s.kibPerSession2, 1)} KiB (nginx ${fmt(g.kibPerSession1, 1)} / ${fmt(g.kibPerSession2, 1)} KiB)`,
    },
    {
      label: 'zero errors',
      status: status(s.errors === 0 && g.errors === 0),
      detail: `sievert ${s.errors}, nginx ${g.errors}`,
    },
  ];
  return { rows, targets, crossCheck: { sievert: crossCheck(f.sievert), nginx: crossCheck(f.nginx) } };
}

function report(
  r: { rows: Row[]; targets: Target[]; crossCheck: Record<Name, CrossCheck> },
  o: { logins: number; rounds: number; mibPerStream: number; sessions: number; ver: string; load: number },
): void {
  const out: string[] = [''];
  out.push(
    `Mail proxy benchmark: IMAP on 127.0.0.1, one fake backend; ${o.logins} logins at ${CONCURRENCY} clients and ` +
      `${o.mibPerStream} MiB per stream per proxy, in ${o.rounds} rounds (medians); 2 x ${o.sessions} idle sessions`,
  );
  out.push(
    `${availableParallelism()} CPUs, load average ${o.load.toFixed(2)} at start, node ${process.version}, nginx ${o.ver}`,
  );
  out.push('');
  out.push(
    `${pad('', 32)}${pad('sievert', 12, true)}${pad('nginx', 12, true)}${pad('sievert/nginx', 16, true)}`,
  );
  for (const row of r.rows) {
    const ratio = row.label === 'errors' ? '' : fmt(row.sievert / row.nginx, 2) + 'x';
    out.push(
      `${pad(row.label, 32)}${pad(fmt(row.sievert, row.digits), 12, true)}${pad(fmt(row.nginx, row.digits), 12, true)}${pad(ratio, 16, true)}`,
    );
  }
  const c = r.crossCheck;
  out.push(
    `CPU from utime + stime instead (10 ms ticks, all rounds): per login ${fmt(c.sievert.cpuMsPerLogin, 3)} vs ` +
      `${fmt(c.nginx.cpuMsPerLogin, 3)} ms, per GiB ${fmt(c.sievert.cpuSPerGib1, 3)} vs ${fmt(c.nginx.cpuSPerGib1, 3)} s (1 stream), ` +
      `${fmt(c.sievert.cpuSPerGib4, 3)} vs ${fmt(c.nginx.cpuSPerGib4, 3)} s (4 streams)`,
  );
  out.push('');
  out.push('targets:');
  for (const t of r.targets) out.push(`  ${pad(t.label, 48)} ${pad(t.status, 8)} ${t.detail}`);
  out.push('');
  process.stdout.write(out.join('\n'));
}

runMain(main);
