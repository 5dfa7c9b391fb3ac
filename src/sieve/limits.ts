/**
 * Every limit the engine enforces, with its default. Exceeding a compile-time limit is a
 * diagnostic; exceeding a run-time limit is a run-time error (the message is kept).
 */
export interface Limits {
  /** Maximum script size in UTF-8 octets (1 MiB). */
  maxScriptSize: number;
  /** Maximum depth of nested blocks and tests (32, as Pigeonhole). */
  maxNesting: number;
  /** Maximum length of one string, in UTF-16 code units, at compile and at run time (1 MiB). */
  maxStringLength: number;
  /** Maximum number of actions in one result (32, as Pigeonhole's sieve_max_actions). */
  maxActions: number;
  /** Maximum number of redirects in one result (4, as Pigeonhole's sieve_max_redirects). */
  maxRedirects: number;
  /** Maximum number of commands and tests evaluated in one run (1,000,000). */
  maxSteps: number;
  /**
   * regex: the most work all :regex matches of one run may do (200,000,000 units: for the linear
   * matcher an instruction visited, a capture slot copied or set up for a match; for the
   * backtracking engine a step of its worst case; a second or two of CPU at most).
   */
  maxRegexWork: number;
  /** Maximum number of errors reported for one script before the compiler stops counting (100). */
  maxErrors: number;
  /** variables: maximum number of distinct variables one script sets (255, as Pigeonhole). */
  maxVariables: number;
  /** variables: longer values are truncated to this many UTF-16 code units (4,096, as Pigeonhole's 4k). */
  maxVariableSize: number;
  /** MIME parts nested deeper than this are not parsed; each is one opaque part (32). */
  maxMimeDepth: number;
  /** At most this many MIME parts of one message are parsed; the rest is opaque (10,000). */
  maxMimeParts: number;
  /** editheader: the longest value addheader accepts, in UTF-8 octets (2,048, as Pigeonhole; RFC 5293 §4: at least 998). */
  maxHeaderValueSize: number;
  /** include: maximum depth of nested includes (10, as Pigeonhole's sieve_include_max_nesting_depth). */
  maxIncludeDepth: number;
  /**
   * include: the most distinct scripts one run may include (255, as Pigeonhole's
   * sieve_include_max_includes); a script included again does not count again.
   */
  maxIncludes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxScriptSize: 1024 * 1024,
  maxNesting: 32,
  maxStringLength: 1024 * 1024,
  maxActions: 32,
  maxRedirects: 4,
  maxSteps: 1_000_000,
  maxRegexWork: 200_000_000,
  maxErrors: 100,
  maxVariables: 255,
  maxVariableSize: 4096,
  maxMimeDepth: 32,
  maxMimeParts: 10_000,
  maxHeaderValueSize: 2048,
  maxIncludeDepth: 10,
  maxIncludes: 255,
});

export function resolveLimits(partial?: Partial<Limits>): Limits {
  const out = { ...DEFAULT_LIMITS, ...partial };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new RangeError(`limit ${k} must be a non-negative integer, got ${String(v)}`);
    }
  }
  return out;
}
