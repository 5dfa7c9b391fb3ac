// sievert test SCRIPT MESSAGE: a dry run, like Pigeonhole's sieve-test.
import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadOrReport } from '../config/index.js';
import { folderScript } from '../deliver/include-folder.js';
import type { ServeConfig } from '../serve/config.js';
import {
  describeAction,
  formatDiagnostic,
  impliedEnvelope,
  parseMessage,
  run,
  type SieveHost,
  type TraceEvent,
} from '../sieve/index.js';
import { compileFile } from './check.js';

export interface TestOptions {
  from?: string;
  to?: string;
  json?: boolean;
  trace?: boolean;
  /** include :personal reads NAME.sieve from here; default: the script's own folder. */
  personalDir?: string;
  /** include :global reads NAME.sieve from here; default: the configuration's sieve.global_dir. */
  globalDir?: string;
  /** A `sievert serve` configuration whose [sieve] section applies as in delivery. */
  config?: string;
}

/** The exit status of a usage error (an unreadable message, folder or configuration). */
const EXIT_USAGE = 2;

/** The folder an option names, or an error message naming the option. */
function folder(option: string, path: string): string | { error: string } {
  try {
    if (!statSync(path).isDirectory()) return { error: `${option}: ${path} is not a folder` };
  } catch (e) {
    return { error: `${option}: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
  return path;
}

/**
 * The host of a dry run: include's folders and, with --config, the [sieve] settings delivery
 * gives its host (vacation periods, spamtest/virustest, editheader's protected fields).
 */
async function testHost(script: string, opts: TestOptions): Promise<{ host: SieveHost } | { error: string }> {
  let config: ServeConfig | undefined;
  let settings: Partial<SieveHost> = {};
  if (opts.config !== undefined) {
    // Loaded on use: the configuration's module brings the server's parts along.
    const { loadServeConfig, sieveHostSettings } = await import('../serve/config.js');
    config = loadOrReport(() => loadServeConfig(opts.config));
    if (config === undefined) return { error: '' };
    settings = sieveHostSettings(config.sieve);
  }
  const personal = folder('--personal-dir', opts.personalDir ?? dirname(script));
  if (typeof personal !== 'string') return personal;
  let global: string | undefined;
  const globalOption = opts.globalDir ?? config?.sieve.globalDir;
  if (globalOption !== undefined) {
    const g = folder(opts.globalDir !== undefined ? '--global-dir' : 'sieve.global_dir', globalOption);
    if (typeof g !== 'string') return g;
    global = g;
  }
  const host: SieveHost = {
    loadScript: (location, name) => {
      const dir = location === 'personal' ? personal : global;
      return dir === undefined ? null : folderScript(dir, location, name);
    },
    ...settings,
  };
  return { host };
}

export async function testCommand(script: string, messageFile: string, opts: TestOptions): Promise<number> {
  const setup = await testHost(script, opts);
  if ('error' in setup) {
    // loadOrReport has printed a configuration error already.
    if (setup.error !== '') process.stderr.write(`sievert: ${setup.error}\n`);
    return EXIT_USAGE;
  }
  const { host } = setup;
  let bytes: Buffer;
  try {
    bytes = readFileSync(messageFile);
  } catch (e) {
    process.stderr.write(`sievert: cannot read the message: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_USAGE;
  }
  const message = parseMessage(bytes);
  const { program, diagnostics } = compileFile(script);
  if (!program) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (opts.json) {
      const first = errors[0];
      process.stdout.write(
        JSON.stringify({
          actions: [{ type: 'keep', flags: [] }],
          error: {
            kind: 'compile',
            message: first ? `line ${first.line}: ${first.message}` : 'compile failed',
            diagnostics: errors,
          },
        }) + '\n',
      );
    } else {
      for (const d of diagnostics) process.stderr.write(formatDiagnostic(script, d) + '\n');
    }
    return 1;
  }
  const defaults = impliedEnvelope(message);
  const envelope = { from: opts.from ?? defaults.from, to: opts.to ?? defaults.to };
  const trace: TraceEvent[] = [];
  const result = run(program, {
    message,
    envelope,
    host,
    trace: opts.trace ? (e) => trace.push(e) : undefined,
  });
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({ actions: result.actions, error: result.error, ...(opts.trace ? { trace } : {}) }) +
        '\n',
    );
    return result.error ? 1 : 0;
  }
  const out: string[] = [];
  if (opts.trace) {
    out.push('Trace:', '');
    for (const e of trace) out.push(`${String(e.line).padStart(4)}: ${e.text}`);
    out.push('');
  }
  if (result.error) {
    const at = result.error.line ? `line ${result.error.line}: ` : '';
    out.push(`Run-time error: ${at}${result.error.message}`, '');
  }
  const performed = result.implicitKeep ? result.actions.filter((a) => a.type !== 'keep') : result.actions;
  out.push('Performed actions:', '');
  if (performed.length === 0) out.push('  (none)');
  for (const a of performed) out.push(` * ${describeAction(a)}`);
  out.push('', 'Implicit keep:', '');
  out.push(result.implicitKeep ? ' * keep: store message in folder: INBOX' : '  (none)');
  process.stdout.write(out.join('\n') + '\n');
  return result.error ? 1 : 0;
}
