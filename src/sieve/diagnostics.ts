/** A position in the script source. Lines and columns are 1-based; columns count UTF-16 code units. */
export interface Position {
  readonly line: number;
  readonly column: number;
  /** 0-based offset into the source string. */
  readonly offset: number;
}

export interface Span {
  readonly start: Position;
  readonly end: Position;
}

export type Severity = 'error' | 'warning';

/**
 * A compile diagnostic. Plain data: the CLI, ManageSieve and the web editor render it.
 * `code` is stable across releases; `message` is for people.
 */
export interface Diagnostic {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export function diagnostic(severity: Severity, code: string, message: string, span: Span): Diagnostic {
  return {
    severity,
    code,
    message,
    line: span.start.line,
    column: span.start.column,
    endLine: span.end.line,
    endColumn: span.end.column,
  };
}

/** Collects diagnostics; the parser and validator keep going after an error. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  private errorCount = 0;

  constructor(private readonly maxErrors = 100) {}

  error(code: string, message: string, span: Span): void {
    if (this.errorCount >= this.maxErrors) return;
    this.errorCount++;
    this.items.push(diagnostic('error', code, message, span));
  }

  warning(code: string, message: string, span: Span): void {
    this.items.push(diagnostic('warning', code, message, span));
  }

  get errors(): number {
    return this.errorCount;
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }

  sorted(): Diagnostic[] {
    return [...this.items].sort((a, b) => a.line - b.line || a.column - b.column);
  }
}

/** `FILE:LINE:COL: error: message`, the format compilers use. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}
