/**
 * A comparator (RFC 4790 §4, RFC 5228 §2.7.3). Comparators that can fold strings to a
 * canonical form (the casemaps, octet) get fast equality, substring and wildcard matching on
 * the folded forms; i;ascii-numeric only has equality and ordering.
 */
export interface Comparator {
  /** The registered name, e.g. "i;ascii-casemap". */
  readonly name: string;
  /** Canonical form for equality, substring and wildcard operations; absent when unsupported. */
  readonly fold?: (s: string) => string;
  /** The fold never changes a string's length (lets :is reject on length first). */
  readonly lengthPreserving?: boolean;
  /**
   * The comparator is exactly ASCII case-insensitivity: a JavaScript RegExp with the "i" flag
   * (without "u") and an ASCII-only pattern matches the same strings.
   */
  readonly caseInsensitiveAscii?: boolean;
  /** Equality (RFC 4790 §4.2.1). */
  equals(a: string, b: string): boolean;
  /** Ordering for relational tests: negative, zero or positive. */
  compare?(a: string, b: string): number;
}
