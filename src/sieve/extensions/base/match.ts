// RFC 5228 §2.7.1: the match types :is, :contains and :matches.
import type { Comparator } from '../../comparators/types.js';
import { evaluate, type ExecutionContext, type Matcher, type StringValue } from '../../runtime.js';

type Predicate = (value: string) => boolean;

/**
 * Builds a matcher from a per-key predicate factory. Constant keys are prepared once at
 * compile time; run-time keys (variables) are prepared on each use.
 */
function keyedMatcher(keys: StringValue[], prepare: (key: string) => Predicate): Matcher {
  if (keys.every((k) => k.constant)) {
    const preds = keys.map((k) => prepare((k as { value: string }).value));
    if (preds.length === 1) {
      const p = preds[0]!;
      return {
        match(_ctx, values) {
          for (let i = 0; i < values.length; i++) if (p(values[i]!)) return true;
          return false;
        },
      };
    }
    return {
      match(_ctx, values) {
        for (let i = 0; i < values.length; i++) {
          const v = values[i]!;
          for (let j = 0; j < preds.length; j++) if (preds[j]!(v)) return true;
        }
        return false;
      },
    };
  }
  return {
    match(ctx: ExecutionContext, values) {
      const preds = keys.map((k) => prepare(evaluate(k, ctx)));
      for (const v of values) for (const p of preds) if (p(v)) return true;
      return false;
    },
  };
}

export function isMatcher(cmp: Comparator, keys: StringValue[]): Matcher {
  const fold = cmp.fold;
  if (fold) {
    const sameLength = cmp.lengthPreserving === true;
    return keyedMatcher(keys, (key) => {
      const k = fold(key);
      const n = key.length;
      if (sameLength) return (v) => v === key || (v.length === n && fold(v) === k);
      return (v) => v === key || fold(v) === k;
    });
  }
  return keyedMatcher(keys, (key) => (v) => cmp.equals(v, key));
}

const NON_ASCII = /[\u0080-\uffff]/;
const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

export function containsMatcher(cmp: Comparator, keys: StringValue[]): Matcher {
  const fold = cmp.fold!;
  return keyedMatcher(keys, (key) => {
    if (key === '') return () => true;
    if (cmp.caseInsensitiveAscii && !NON_ASCII.test(key)) {
      // V8's case-insensitive search without the "u" flag folds ASCII letters only when the
      // pattern is ASCII (ES2023 §22.2.2.7.3 Canonicalize), which is i;ascii-casemap.
      const re = new RegExp(key.replace(REGEXP_SPECIAL, '\\$&'), 'i');
      return (v) => re.test(v);
    }
    const k = fold(key);
    return (v) => fold(v).includes(k);
  });
}

/** A :matches pattern split into literal segments and wildcards. */
type Part = { kind: 'lit'; text: string } | { kind: '?' } | { kind: '*' };

/** RFC 5228 §2.7.1: "*" matches zero or more characters, "?" one; "\" escapes the next. */
export function parsePattern(pattern: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      if (i < pattern.length) lit += pattern[i]!;
      continue;
    }
    if (c === '*' || c === '?') {
      if (lit) parts.push({ kind: 'lit', text: lit });
      lit = '';
      // "**" is the same as "*".
      if (c === '*' && parts[parts.length - 1]?.kind === '*') continue;
      parts.push({ kind: c });
      continue;
    }
    lit += c;
  }
  if (lit) parts.push({ kind: 'lit', text: lit });
  return parts;
}

/** One character, counting a surrogate pair as one (RFC 5228: "?" matches one character). */
function charLen(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
}

/**
 * Matches a run of literals and "?" (a segment between stars) at position `at`.
 * Returns the end position, or -1. Fills `caps` with what each "?" matched.
 */
function segmentAt(value: string, at: number, seg: Part[], caps: string[] | null, src = value): number {
  let p = at;
  for (const part of seg) {
    if (part.kind === 'lit') {
      if (!value.startsWith(part.text, p)) return -1;
      p += part.text.length;
    } else {
      if (p >= value.length) return -1;
      const n = charLen(value, p);
      caps?.push(src.slice(p, p + n));
      p += n;
    }
  }
  return p;
}

/** The leftmost position at or after `from` where the segment matches, and its end. */
function findSegment(
  value: string,
  from: number,
  seg: Part[],
  caps: string[] | null,
  src: string,
): [number, number] {
  const first = seg[0];
  for (let i = from; i <= value.length;) {
    if (first?.kind === 'lit') {
      const j = value.indexOf(first.text, i);
      if (j < 0) return [-1, -1];
      i = j;
    }
    const mark = caps?.length ?? 0;
    const end = segmentAt(value, i, seg, caps, src);
    if (end >= 0) return [i, end];
    if (caps) caps.length = mark;
    if (i >= value.length) break;
    i += charLen(value, i);
  }
  return [-1, -1];
}

/**
 * Compiles a pattern into a function giving the wildcard captures (RFC 5229 §3.2: one per
 * "*" or "?", in order; each "*" but the last takes as little as possible) or null. The value is
 * matched as given (folded by the comparator); captures are cut from `original` (the value before
 * folding) when folding kept its length, so they keep the message's case.
 */
export function compilePattern(
  pattern: string,
): (value: string, wantCaptures: boolean, original?: string) => string[] | null {
  const parts = parsePattern(pattern);
  // Segments between stars.
  const segs: Part[][] = [[]];
  for (const p of parts) {
    if (p.kind === '*') segs.push([]);
    else segs[segs.length - 1]!.push(p);
  }
  const stars = segs.length - 1;
  if (stars === 0 && parts.every((p) => p.kind === 'lit')) {
    const text = parts.map((p) => (p as { text: string }).text).join('');
    return (v) => (v === text ? [] : null);
  }
  const head = segs[0]!;
  const tail = segs[segs.length - 1]!;
  const tailLen = (v: string, start: number): number => {
    // The tail segment must match at the very end; "?" makes its length vary with surrogates.
    if (tail.every((p) => p.kind === 'lit'))
      return tail.reduce((n, p) => n + (p as { text: string }).text.length, 0);
    for (let s = v.length; s >= start; s--) {
      if (segmentAt(v, s, tail, null) === v.length) return v.length - s;
    }
    return -1;
  };
  return (value, wantCaptures, original) => {
    const caps: string[] | null = wantCaptures ? [] : null;
    const src = original !== undefined && original.length === value.length ? original : value;
    let p = segmentAt(value, 0, head, caps, src);
    if (p < 0) return null;
    if (stars === 0) return p === value.length ? (caps ?? []) : null;
    const tl = tailLen(value, p);
    if (tl < 0) return null;
    const tailStart = value.length - tl;
    // The tail must fit after the head and match at the very end of the value.
    if (tailStart < p || segmentAt(value, tailStart, tail, null) !== value.length) return null;
    for (let s = 1; s < stars; s++) {
      const starCaps: string[] | null = caps ? [] : null;
      const [start, end] = findSegment(value, p, segs[s]!, starCaps, src);
      if (start < 0 || end > tailStart) return null;
      caps?.push(src.slice(p, start), ...starCaps!);
      p = end;
    }
    caps?.push(src.slice(p, tailStart));
    if (caps) {
      const tcaps: string[] = [];
      segmentAt(value, tailStart, tail, tcaps, src);
      caps.push(...tcaps);
    }
    return caps ?? [];
  };
}

export function matchesMatcher(cmp: Comparator, keys: StringValue[], captures: boolean): Matcher {
  const fold = cmp.fold!;
  if (keys.every((k) => k.constant) && !captures) {
    const fns = keys.map((k) => compilePattern(fold((k as { value: string }).value)));
    return {
      match(_ctx, values) {
        for (const v of values) {
          const f = fold(v);
          for (const fn of fns) if (fn(f, false)) return true;
        }
        return false;
      },
    };
  }
  // Constant keys are compiled once; keys with variables on each use.
  const fixed = keys.map((k) => (k.constant ? compilePattern(fold(k.value)) : null));
  return {
    match(ctx, values) {
      for (const v of values) {
        const f = fold(v);
        for (let i = 0; i < keys.length; i++) {
          const fn = fixed[i] ?? compilePattern(fold(evaluate(keys[i]!, ctx)));
          const caps = fn(f, captures, v);
          if (caps) {
            if (captures) ctx.matchValues = [v, ...caps];
            return true;
          }
        }
      }
      return false;
    },
  };
}
