// sievert filter SCRIPT PATH: a dry run over a Maildir or an mbox, like sieve-filter.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeAction,
  formatDiagnostic,
  parseMessage,
  run,
  type Program,
  type RunResult,
} from '../sieve/index.js';
import { compileFile } from './check.js';
import { cacheKey, defaultCacheDir, HeaderCache } from './header-cache.js';
import { HeaderReader, headerEnd, maildirSize } from './io.js';

interface Source {
  readonly count: number;
  /** Calls `each` with every message's name, bytes (at least the header block) and size. */
  forEach(each: (name: string, bytes: Uint8Array, size: number) => void): void;
}

function maildir(path: string, cacheDir: string | null, full: boolean): Source {
  const files: string[] = [];
  for (const sub of ['cur', 'new']) {
    let names: string[];
    try {
      names = readdirSync(join(path, sub));
    } catch {
      continue;
    }
    names.sort();
    for (const n of names) if (!n.startsWith('.')) files.push(`${sub}/${n}`);
  }
  const reader = new HeaderReader();
  const base = path.endsWith('/') ? path : `${path}/`;
  return {
    count: files.length,
    forEach(each) {
      // The cache holds header blocks: a script that reads bodies reads every file whole.
      const cache = cacheDir === null || full ? null : HeaderCache.open(path, cacheDir);
      for (const f of files) {
        const key = cache && cacheKey(f);
        let m = key === null ? undefined : cache!.get(key);
        if (m === undefined) {
          try {
            m = reader.read(`${base}${f}`, full, maildirSize(f));
          } catch {
            continue; // The file went away (another MUA moved it): skip it.
          }
          if (key !== null) cache!.put(key, m.bytes, m.size);
        }
        each(f, m.bytes, m.size);
      }
      cache?.save();
    },
  };
}

/** mbox (RFC 4155): messages start at lines beginning with "From " after an empty line. */
function mbox(path: string, full: boolean): Source {
  const data = readFileSync(path);
  const starts: number[] = [];
  if (data.subarray(0, 5).toString('latin1') === 'From ') starts.push(0);
  for (let i = data.indexOf('\nFrom '); i >= 0; i = data.indexOf('\nFrom ', i + 1)) {
    if (i === 0 || data[i - 1] === 0x0a || (data[i - 1] === 0x0d && data[i - 2] === 0x0a)) starts.push(i + 1);
  }
  return {
    count: starts.length,
    forEach(each) {
      starts.forEach((s, k) => {
        const end = k + 1 < starts.length ? starts[k + 1]! : data.length;
        const body = data.indexOf(0x0a, s) + 1; // skip the "From " separator line
        const msg = data.subarray(body, end);
        each(`#${k + 1}`, full ? msg : msg.subarray(0, headerEnd(msg, msg.length)), msg.length);
      });
    },
  };
}

/**
 * A Maildir (with a header cache in `cacheDir` unless null) or an mbox file. With `full`, each
 * message is read whole (for scripts whose Program.needsBody is set), else its header block only.
 */
export function openSource(path: string, cacheDir: string | null = null, full = false): Source {
  const st = statSync(path);
  return st.isDirectory() ? maildir(path, cacheDir, full) : mbox(path, full);
}

export interface FilterOptions {
  json?: boolean;
  to: string;
  /** false for `--no-cache`. */
  cache?: boolean;
  cacheDir?: string;
}

export async function filterCommand(script: string, path: string, opts: FilterOptions): Promise<number> {
  const { program, diagnostics } = compileFile(script);
  if (!program) {
    for (const d of diagnostics) process.stderr.write(formatDiagnostic(script, d) + '\n');
    return 1;
  }
  let source: Source;
  try {
    source = openSource(
      path,
      opts.cache === false ? null : (opts.cacheDir ?? defaultCacheDir()),
      program.needsBody,
    );
  } catch (e) {
    process.stderr.write(`sievert: cannot open ${path}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const counts: Record<string, number> = {};
  let errors = 0;
  let messages = 0;
  // The progress bar's module is loaded only for a terminal (it costs start-up time otherwise).
  const bar =
    !opts.json && process.stderr.isTTY
      ? new (await import('cli-progress')).default.SingleBar({
          stream: process.stderr,
          format: 'filtering [{bar}] {value}/{total} {eta_formatted}',
        })
      : null;
  bar?.start(source.count, 0);
  const started = performance.now();
  const out: string[] = [];
  const flush = (): void => {
    if (out.length) process.stdout.write(out.join(''));
    out.length = 0;
  };
  source.forEach((name, bytes, size) => {
    const r = runOne(program, bytes, size, opts.to);
    messages++;
    if (r.error) errors++;
    for (const a of r.actions) counts[a.type] = (counts[a.type] ?? 0) + 1;
    if (opts.json) out.push(JSON.stringify({ message: name, actions: r.actions, error: r.error }) + '\n');
    else if (!bar)
      out.push(
        `${name}: ${r.actions.map(describeAction).join('; ')}${r.error ? ` (error: ${r.error.message})` : ''}\n`,
      );
    if (out.length >= 256) flush();
    if (bar && messages % 64 === 0) bar.update(messages);
  });
  flush();
  bar?.update(messages);
  bar?.stop();
  const seconds = (performance.now() - started) / 1000;
  const summary = {
    messages,
    actions: counts,
    errors,
    seconds: Number(seconds.toFixed(3)),
    messagesPerSecond: Math.round(messages / Math.max(seconds, 1e-9)),
  };
  if (opts.json) process.stdout.write(JSON.stringify({ summary }) + '\n');
  else {
    const per = Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    process.stdout.write(
      `\n${messages} messages in ${summary.seconds} s (${summary.messagesPerSecond} messages/s): ${per || 'no actions'}; ${errors} run-time errors\n`,
    );
  }
  return 0;
}

function runOne(program: Program, bytes: Uint8Array, size: number, to: string): RunResult {
  const message = parseMessage(bytes, { size });
  return run(program, { message, envelope: { from: null, to } });
}
