/**
 * Filter benchmark (issue 2, "Speed"): Pigeonhole's sieve-filter and `sievert filter` over the
 * same deterministic Maildir with the same 50-rule webmail-style script, as whole processes,
 * alternating, several rounds; then in-process compile and run figures. `--case extensions`
 * (issue 4) runs the second case: the 50 rules behind a prelude using variables, regex, date
 * and body :text (bench/lib/rules.ts extensionsScript).
 *
 *   npm run bench:filter -- [--case rules|extensions] [--messages 20000] [--rounds 3] [--memory-messages 2000] [--keep]
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { ensureCorpus, GENERATOR_VERSION } from './lib/corpus.js';
import { timeCompile, timeRun, type CompileFigure, type RunFigure } from './lib/inprocess.js';
import {
  pigeonholeArgs,
  resetIndex,
  setupPigeonhole,
  tallyPigeonhole,
  type FilterTally,
} from './lib/pigeonhole.js';
import {
  checkBuilt,
  log,
  median,
  pad,
  positiveInt,
  runMain,
  runTimed,
  type TimedRun,
} from './lib/process.js';
import { extensionsScript, largeRulesScript, rulesScript } from './lib/rules.js';
import { sievertArgs, tallySievert } from './lib/sievert.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench', '.data');
const BIN = join(ROOT, 'bin', 'sievert.js');
const SIEVE_FILTER = 'sieve-filter';

type Engine = 'pigeonhole-cold' | 'pigeonhole-warm' | 'sievert-cold' | 'sievert-warm';
const ENGINES: readonly Engine[] = ['pigeonhole-cold', 'pigeonhole-warm', 'sievert-cold', 'sievert-warm'];
const LABELS: Record<Engine, string> = {
  'pigeonhole-cold': 'Pigeonhole sieve-filter, cold index',
  'pigeonhole-warm': 'Pigeonhole sieve-filter, warm index',
  'sievert-cold': 'sievert filter, cold cache',
  'sievert-warm': 'sievert filter, warm cache',
};

interface Sample extends TimedRun {
  readonly round: number;
  readonly messages: number;
}

/** Messages whose destinations are the same in both engines, and a few that differ. */
function agreement(a: FilterTally, b: FilterTally): { same: number; compared: number; examples: string[] } {
  let same = 0;
  let compared = 0;
  const examples: string[] = [];
  for (const [message, destinations] of a.destinations) {
    const other = b.destinations.get(message);
    if (other === undefined) continue;
    compared++;
    if (other === destinations) same++;
    else if (examples.length < 5)
      examples.push(`message ${message}: Pigeonhole ${destinations}, sievert ${other}`);
  }
  return { same, compared, examples };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      case: { type: 'string', default: 'rules' },
      messages: { type: 'string' },
      rounds: { type: 'string' },
      'memory-messages': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench:filter -- [--case rules|extensions] [--messages N (20000)] [--rounds R (3)] [--memory-messages M (2000)] [--keep]\n',
    );
    return 0;
  }
  const messageCount = positiveInt('messages', values.messages, 20_000);
  const rounds = positiveInt('rounds', values.rounds, 3);
  const memoryMessages = Math.min(
    messageCount,
    positiveInt('memory-messages', values['memory-messages'], 2_000),
  );

  mkdirSync(DATA, { recursive: true, mode: 0o755 });
  chmodSync(DATA, 0o755);
  const corpus = ensureCorpus(DATA, messageCount, log);
  const benchCase = values.case === 'extensions' ? 'extensions' : 'rules';
  if (values.case !== benchCase) throw new Error(`--case must be rules or extensions, got "${values.case}"`);
  const script = benchCase === 'extensions' ? extensionsScript() : rulesScript();
  const scriptPath = join(DATA, benchCase === 'extensions' ? 'extensions-50.sieve' : 'rules-50.sieve');
  const caseLabel = benchCase === 'extensions' ? '50 rules + variables, regex, date, body :text' : '50 rules';
  writeFileSync(scriptPath, script);
  const largeScript = largeRulesScript(20);
  writeFileSync(join(DATA, 'rules-1000.sieve'), largeScript);

  if (!checkBuilt(ROOT)) return 1;

  const work = mkdtempSync(join(tmpdir(), 'sievert-bench-'));
  chmodSync(work, 0o755);
  const ph = setupPigeonhole(join(work, 'pigeonhole'), corpus.maildir, scriptPath);
  let failed = false;
  try {
    // Both must accept the script before anything is timed.
    const check = await runTimed(
      process.execPath,
      [BIN, 'check', scriptPath],
      join(work, 'check.out'),
      join(work, 'check.err'),
    );
    if (check.exitCode !== 0)
      throw new Error(`sievert check rejects ${scriptPath} (see ${join(work, 'check.out')})`);

    const samples: Record<Engine, Sample[]> = {
      'pigeonhole-cold': [],
      'pigeonhole-warm': [],
      'sievert-cold': [],
      'sievert-warm': [],
    };
    // sievert's header cache (like Dovecot's index cache) lives in the work directory.
    const cacheDir = join(work, 'sievert-cache');
    const tallies: Partial<Record<Engine, FilterTally>> = {};
    const runOne = async (engine: Engine, round: number): Promise<void> => {
      const out = join(work, `${engine}.out`);
      const err = join(work, `${engine}.err`);
      let timed: TimedRun;
      let tally: FilterTally;
      if (engine === 'sievert-cold' || engine === 'sievert-warm') {
        if (engine === 'sievert-cold') rmSync(cacheDir, { recursive: true, force: true });
        timed = await runTimed(
          process.execPath,
          sievertArgs(BIN, scriptPath, corpus.maildir, cacheDir),
          out,
          err,
        );
        tally = tallySievert(out);
      } else {
        if (engine === 'pigeonhole-cold') resetIndex(ph);
        timed = await runTimed(SIEVE_FILTER, pigeonholeArgs(ph), out, err);
        tally = tallyPigeonhole(out);
      }
      const ok = timed.exitCode === 0 && tally.messages === corpus.messages;
      log(
        `  round ${round} ${pad(engine, 16)} ${(timed.wallMs / 1000).toFixed(2)} s, ${tally.messages} messages, exit ${timed.exitCode}${ok ? '' : '  <-- INCOMPLETE'}`,
      );
      if (!ok) {
        failed = true;
        log(`    see ${out} and ${err}`);
      }
      tallies[engine] = tally;
      if (round > 0) samples[engine].push({ ...timed, round, messages: tally.messages });
    };

    // Round 0 is an untimed warm-up (page cache, Pigeonhole's first index) that also checks the outputs.
    log('warm-up and check (round 0, not timed):');
    await runOne('pigeonhole-cold', 0);
    await runOne('sievert-cold', 0);
    for (let round = 1; round <= rounds; round++) {
      log(`round ${round}:`);
      // Alternate which engine goes first, so neither always runs on a just-warmed machine.
      const order: Engine[] =
        round % 2 === 1
          ? ['pigeonhole-cold', 'pigeonhole-warm', 'sievert-cold', 'sievert-warm']
          : ['sievert-cold', 'sievert-warm', 'pigeonhole-cold', 'pigeonhole-warm'];
      for (const engine of order) await runOne(engine, round);
    }

    log('in-process figures …');
    const compileFigures: CompileFigure[] = [
      timeCompile(benchCase === 'extensions' ? 'extensions script' : '50-rule script', script, 50, 2000),
      timeCompile('1,000-rule script', largeScript, 1000, 3000),
    ];
    const runFigure: RunFigure = timeRun(script, corpus.files.slice(0, memoryMessages), 15);

    report(
      corpus,
      script,
      caseLabel,
      rounds,
      samples,
      tallies,
      compileFigures,
      runFigure,
      scriptPath,
      ph.config,
    );
    const results = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      generatorVersion: GENERATOR_VERSION,
      corpus: {
        messages: corpus.messages,
        bytes: corpus.bytes,
        multipart: corpus.multipart,
        lists: corpus.lists,
      },
      case: benchCase,
      rounds,
      samples,
      compile: compileFigures,
      run: runFigure,
    };
    const resultsFile = join(DATA, benchCase === 'extensions' ? 'results-extensions.json' : 'results.json');
    writeFileSync(resultsFile, JSON.stringify(results, null, 2));
    log(`results written to ${relative(ROOT, resultsFile)}`);
  } finally {
    if (values.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

function report(
  corpus: ReturnType<typeof ensureCorpus>,
  script: string,
  caseLabel: string,
  rounds: number,
  samples: Record<Engine, Sample[]>,
  tallies: Partial<Record<Engine, FilterTally>>,
  compileFigures: readonly CompileFigure[],
  runFigure: RunFigure,
  scriptPath: string,
  config: string,
): void {
  const mib = corpus.bytes / 1048576;
  const out: string[] = [];
  out.push('');
  out.push(
    `Filter benchmark: ${corpus.messages} messages, ${mib.toFixed(1)} MiB ` +
      `(${Math.round((100 * corpus.multipart) / corpus.messages)} % multipart, ${Math.round((100 * corpus.lists) / corpus.messages)} % list mail), ` +
      `${caseLabel} (${(Buffer.byteLength(script) / 1024).toFixed(1)} KB), ${rounds} round${rounds === 1 ? '' : 's'}, ${availableParallelism()} CPUs, node ${process.version}`,
  );
  out.push('');
  out.push(
    `${pad('whole process (start-up included)', 38)}${pad('median s', 10, true)}${pad('msg/s', 10, true)}${pad('MiB/s', 9, true)}${pad('CPU s', 8, true)}${pad('msg/CPU-s', 11, true)}${pad('max RSS', 10, true)}`,
  );
  const rate: Partial<Record<Engine, number>> = {};
  const cpuRate: Partial<Record<Engine, number>> = {};
  for (const engine of ENGINES) {
    const list = samples[engine];
    const wall = median(list.map((s) => s.wallMs)) / 1000;
    const cpu = list.every((s) => s.cpuS !== null) ? median(list.map((s) => s.cpuS ?? 0)) : Number.NaN;
    const rss = list.every((s) => s.maxRssKb !== null)
      ? median(list.map((s) => s.maxRssKb ?? 0))
      : Number.NaN;
    rate[engine] = corpus.messages / wall;
    cpuRate[engine] = corpus.messages / cpu;
    out.push(
      `${pad(LABELS[engine], 38)}${pad(wall.toFixed(2), 10, true)}${pad(Math.round(corpus.messages / wall).toLocaleString('en-US'), 10, true)}` +
        `${pad((mib / wall).toFixed(0), 9, true)}${pad(Number.isNaN(cpu) ? '-' : cpu.toFixed(2), 8, true)}` +
        `${pad(Number.isNaN(cpu) ? '-' : Math.round(corpus.messages / cpu).toLocaleString('en-US'), 11, true)}` +
        `${pad(Number.isNaN(rss) ? '-' : `${(rss / 1024).toFixed(0)} MiB`, 10, true)}`,
    );
  }
  const s = rate['sievert-warm'] ?? Number.NaN;
  const warm = rate['pigeonhole-warm'] ?? Number.NaN;
  const cold = rate['pigeonhole-cold'] ?? Number.NaN;
  const sCold = rate['sievert-cold'] ?? Number.NaN;
  out.push('');
  out.push(
    `sievert warm / Pigeonhole warm: ${(s / warm).toFixed(2)}x   (target: at least 2x)${s / warm >= 2 ? '  met' : '  NOT met'}`,
  );
  out.push(`sievert cold / Pigeonhole cold: ${(sCold / cold).toFixed(2)}x`);
  out.push(`sievert cold / Pigeonhole warm: ${(sCold / warm).toFixed(2)}x`);
  const cpuRatio = (cpuRate['sievert-warm'] ?? Number.NaN) / (cpuRate['pigeonhole-warm'] ?? Number.NaN);
  if (!Number.isNaN(cpuRatio)) {
    out.push(
      `per CPU-second (less sensitive to a busy machine), sievert / Pigeonhole warm: ${cpuRatio.toFixed(2)}x`,
    );
  }
  const p = tallies['pigeonhole-warm'] ?? tallies['pigeonhole-cold'];
  const t = tallies['sievert-warm'] ?? tallies['sievert-cold'];
  if (p && t) {
    const { same, compared, examples } = agreement(p, t);
    out.push(`Same destinations in both engines: ${same} of ${compared} messages compared`);
    for (const example of examples) out.push(`  differs: ${example}`);
  }
  out.push('');
  out.push('in process (node, library imported, no I/O)');
  for (const c of compileFigures) {
    out.push(
      `  compile ${pad(c.label, 18)} ${c.kilobytes.toFixed(1).padStart(6)} KB  ${c.msPerCompile.toFixed(3).padStart(8)} ms  = ${c.msPerKb.toFixed(3)} ms/KB  (median of ${c.iterations})`,
    );
  }
  out.push(
    `  run ${caseLabel} over ${runFigure.messages} messages in memory (${runFigure.megabytes.toFixed(1)} MiB, parseMessage + run): ` +
      `${Math.round(runFigure.messagesPerSecond).toLocaleString('en-US')} msg/s median of ${runFigure.passes} passes, ` +
      `${Math.round(runFigure.bestMessagesPerSecond).toLocaleString('en-US')} msg/s best`,
  );
  out.push('');
  out.push('commands timed (output to a file):');
  out.push(
    `  node ${relative(ROOT, BIN)} ${sievertArgs('', relative(ROOT, scriptPath), relative(ROOT, corpus.maildir), '<cache dir>').slice(1).join(' ')}   (cold = cache dir deleted first)`,
  );
  out.push(
    `  ${SIEVE_FILTER} -c ${config} -C <copy of ${relative(ROOT, scriptPath)}> INBOX   (dry run; cold = index and control dirs deleted first)`,
  );
  out.push('');
  process.stdout.write(out.join('\n'));
}

runMain(main);
