// sievert check FILE…
import { compile, decodeScript, formatDiagnostic, type Diagnostic } from '../sieve/index.js';
import { readScriptFile } from './io.js';

export interface LoadedScript {
  /** The file's octets; null when it could not be read. */
  readonly bytes: Buffer | null;
  readonly source: string | null;
  readonly diagnostics: Diagnostic[];
}

/** Reads and decodes a script; I/O and UTF-8 errors become diagnostics. */
export function loadScript(file: string): LoadedScript {
  let bytes: Buffer;
  try {
    bytes = readScriptFile(file);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return {
      bytes: null,
      source: null,
      diagnostics: [fileDiagnostic('io.read', `cannot read the script: ${msg}`, 1, 1)],
    };
  }
  const decoded = decodeScript(bytes);
  if ('line' in decoded) {
    return {
      bytes,
      source: null,
      diagnostics: [
        fileDiagnostic(
          'lex.invalid-utf8',
          'the script is not valid UTF-8 (RFC 5228 §1.1)',
          decoded.line,
          decoded.column,
        ),
      ],
    };
  }
  return { bytes, source: decoded.text, diagnostics: [] };
}

function fileDiagnostic(code: string, message: string, line: number, column: number): Diagnostic {
  return { severity: 'error', code, message, line, column, endLine: line, endColumn: column };
}

/** Reads, decodes and compiles a script; `bytes` are the octets compiled (null when unreadable). */
export function compileFile(file: string): {
  program: ReturnType<typeof compile>['program'];
  diagnostics: Diagnostic[];
  bytes: Buffer | null;
} {
  const loaded = loadScript(file);
  if (loaded.source === null) return { program: null, diagnostics: loaded.diagnostics, bytes: loaded.bytes };
  const r = compile(loaded.source);
  return { program: r.program, diagnostics: [...r.diagnostics], bytes: loaded.bytes };
}

export function checkCommand(files: string[], opts: { json?: boolean }): number {
  let failed = false;
  const report: { file: string; ok: boolean; diagnostics: Diagnostic[] }[] = [];
  for (const file of files) {
    const { program, diagnostics } = compileFile(file);
    if (!program) failed = true;
    report.push({ file, ok: program !== null, diagnostics });
    if (!opts.json) {
      for (const d of diagnostics) {
        (d.severity === 'error' ? process.stderr : process.stdout).write(formatDiagnostic(file, d) + '\n');
      }
    }
  }
  if (opts.json) process.stdout.write(JSON.stringify(report) + '\n');
  return failed ? 1 : 0;
}
