// sievert test SCRIPT MESSAGE: a dry run, like Pigeonhole's sieve-test.
import { readFileSync } from 'node:fs';
import {
  describeAction,
  formatDiagnostic,
  impliedEnvelope,
  parseMessage,
  run,
  type TraceEvent,
} from '../sieve/index.js';
import { compileFile } from './check.js';

export function testCommand(
  script: string,
  messageFile: string,
  opts: { from?: string; to?: string; json?: boolean; trace?: boolean },
): number {
  let bytes: Buffer;
  try {
    bytes = readFileSync(messageFile);
  } catch (e) {
    process.stderr.write(`sievert: cannot read the message: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
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
  const result = run(program, { message, envelope, trace: opts.trace ? (e) => trace.push(e) : undefined });
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
