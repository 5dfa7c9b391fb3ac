/**
 * In-process figures: compile time per KB of script, and messages per second for a compiled
 * script over messages already in memory (parseMessage included: it is per-message work).
 */
import { readFileSync } from 'node:fs';

import { compile, parseMessage, run } from '../../src/sieve/index.js';
import { median } from './process.js';

export interface CompileFigure {
  readonly label: string;
  readonly kilobytes: number;
  readonly rules: number;
  readonly iterations: number;
  readonly msPerCompile: number;
  readonly msPerKb: number;
}

export interface RunFigure {
  readonly messages: number;
  readonly megabytes: number;
  readonly passes: number;
  /** From the median pass. */
  readonly messagesPerSecond: number;
  /** From the fastest pass: on a shared machine, the least disturbed one. */
  readonly bestMessagesPerSecond: number;
  readonly actions: number;
}

/**
 * Compiles `source` repeatedly for at least `budgetMs` (after a warm-up), each time with a
 * distinct trailing comment so that a cache keyed by the source text cannot answer.
 */
export function timeCompile(label: string, source: string, rules: number, budgetMs: number): CompileFigure {
  let counter = 0;
  const once = (): void => {
    const result = compile(`${source}# ${counter++}\n`);
    if (result.program === null) {
      const first = result.diagnostics[0];
      throw new Error(
        `${label} does not compile: ${first ? `${first.line}:${first.column}: ${first.message}` : 'no diagnostics'}`,
      );
    }
  };
  for (let i = 0; i < 5; i++) once();
  const samples: number[] = [];
  const started = performance.now();
  while (performance.now() - started < budgetMs || samples.length < 5) {
    const t = performance.now();
    once();
    samples.push(performance.now() - t);
  }
  const kilobytes = Buffer.byteLength(source) / 1024;
  const msPerCompile = median(samples);
  return {
    label,
    kilobytes,
    rules,
    iterations: samples.length,
    msPerCompile,
    msPerKb: msPerCompile / kilobytes,
  };
}

/** Runs the compiled script over `files` (loaded into memory first) for `passes` passes; the median pass counts. */
export function timeRun(source: string, files: readonly string[], passes: number): RunFigure {
  const { program, diagnostics } = compile(source);
  if (program === null) throw new Error(`script does not compile: ${JSON.stringify(diagnostics[0])}`);
  const messages = files.map((f) => readFileSync(f));
  const bytes = messages.reduce((n, m) => n + m.length, 0);
  let actions = 0;
  const pass = (): number => {
    const t = performance.now();
    for (const bytes of messages) {
      const result = run(program, {
        message: parseMessage(bytes, { size: bytes.length }),
        envelope: { from: null, to: 'user@home.example' },
      });
      actions += result.actions.length;
    }
    return performance.now() - t;
  };
  pass(); // warm-up: JIT, inline caches
  const times: number[] = [];
  for (let i = 0; i < passes; i++) times.push(pass());
  return {
    messages: messages.length,
    megabytes: bytes / 1048576,
    passes,
    messagesPerSecond: (messages.length / median(times)) * 1000,
    bestMessagesPerSecond: (messages.length / Math.min(...times)) * 1000,
    actions: actions / (passes + 1),
  };
}
