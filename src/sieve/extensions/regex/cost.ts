// An upper bound of the work JavaScript's backtracking engine can do for a translated pattern on
// a value of length n, to decide when it is safe to use. The backtracker tries each start
// position; from one start, a sequence e1 e2 … runs e2 once for every way e1 can match, so the
// bound follows two quantities per part of the pattern, both upper bounds for any start:
// S, the number of ways it can match (its successes), and W, the work of trying them all.
//   set, assertion    S = 1, W = 1
//   e1 | e2           S = S1 + S2 (the larger one when no two alternatives can start with the
//                     same character: only one gets past its first character), W = W1 + W2 + 1
//   e1 e2             S = S1 S2, W = W1 + S1 W2
//   e{m,n}, S(e) = 1  the iterations are forced: S = number of counts, W = iterations × W(e)
//   e{m,n}, S(e) > 1  unrolled into copies (an unbounded one: exponential, no bound)
// A run of one character class (x* or x{m,n}) followed, after optional parts, by a part that must
// start with a character outside the class (or by "$") can end at one place only: it counts as
// matching one way, plus the cost of the other attempts failing at their first character.
// The bounds are generous: a pattern the model cannot bound is simply left to linear.ts.
import type { CharTests } from './charset.js';
import { startAnchored, type Item, type Node, type Sequence, type SetNode } from './posix.js';

interface Bound {
  /** Ways to match. */
  s: number;
  /** Work of trying them. */
  w: number;
}

/** Explicit sets larger than this are not enumerated to test for overlap. */
const ENUMERATION_LIMIT = 2048;

function size(ranges: SetNode['members']): number {
  let total = 0;
  for (const [lo, hi] of ranges ?? []) total += hi - lo + 1;
  return total;
}

function isEnd(it: Item): boolean {
  return it.node.k === 'assert' && it.node.src === '$';
}

export class BacktrackingCost {
  private readonly overlapMemo = new Map<SetNode, Map<SetNode, boolean>>();
  private readonly firstMemo = new Map<Item | Sequence, readonly SetNode[]>();
  private readonly singleMemo = new Map<Node, boolean>();
  private readonly decisiveMemo = new Map<Sequence, Int32Array>();
  private readonly failMemo = new Map<Sequence, Float64Array>();
  private readonly anchored: boolean;

  constructor(
    private readonly alts: readonly Sequence[],
    private readonly tests: CharTests,
  ) {
    this.anchored = startAnchored(alts);
  }

  /** Bound of the search's total work on a value of length n (Infinity when there is none). */
  total(n: number): number {
    const w = this.alternatives(this.alts, n).w;
    // Every start position is tried; with "^" everywhere, all but the first fail at once.
    return this.anchored ? w + 2 * (n + 1) : (n + 1) * (w + 1);
  }

  private alternatives(alts: readonly Sequence[], n: number): Bound {
    if (alts.length === 1) return this.sequence(alts[0]!, n);
    let s = 0;
    let sMax = 0;
    let w = 1;
    for (const seq of alts) {
      const b = this.sequence(seq, n);
      s += b.s;
      sMax = Math.max(sMax, b.s);
      w += b.w;
    }
    return { s: this.exclusive(alts) ? sMax : s, w };
  }

  private sequence(seq: Sequence, n: number): Bound {
    const decisive = this.decisive(seq);
    let s = 1;
    let w = 1;
    for (let i = 0; i < seq.length; i++) {
      const b = this.item(seq[i]!, n);
      const j = decisive[i]!;
      if (j > i) {
        w += s * (b.w + b.s * this.failure(seq, i));
      } else {
        w += s * b.w;
        s *= b.s;
      }
    }
    return { s, w };
  }

  /**
   * The work of the parts after the run at i, up to its decisive part, when they fail before
   * consuming a character: at most what they do on an empty value, plus one test per path.
   */
  private failure(seq: Sequence, i: number): number {
    let r = this.failMemo.get(seq);
    if (!r) {
      r = new Float64Array(seq.length).fill(-1);
      this.failMemo.set(seq, r);
    }
    if (r[i]! < 0) r[i] = 2 * this.sequence(seq.slice(i + 1, this.decisive(seq)[i]! + 1), 0).w + 2;
    return r[i]!;
  }

  private item(it: Item, n: number): Bound {
    const { min, max } = it;
    if (min === 1 && max === 1) return this.node(it.node, n);
    if (max === 0) return { s: 1, w: 1 };
    const e = this.node(it.node, n);
    if (this.single(it.node)) {
      // Each iteration can match one way only, and one beyond the minimum consumes a character.
      const optional = Math.min(max - min, n + 1);
      return { s: Math.min(max - min, n) + 1, w: (min + optional) * e.w + 1 };
    }
    if (max === Infinity) return { s: Infinity, w: Infinity };
    let s = 1;
    let w = 1;
    for (let k = 0; k < max && w < Infinity; k++) {
      const optional = k >= min ? 1 : 0;
      w += s * (e.w + optional);
      s *= e.s + optional;
    }
    return { s, w };
  }

  private node(node: Node, n: number): Bound {
    return node.k === 'group' ? this.alternatives(node.alts, n) : { s: 1, w: 1 };
  }

  /** Whether a node matches at most one way from any position. */
  private single(node: Node): boolean {
    let r = this.singleMemo.get(node);
    if (r === undefined) {
      r =
        node.k !== 'group' ||
        ((node.alts.length === 1 || this.exclusive(node.alts)) &&
          node.alts.every((seq) => {
            const decisive = this.decisive(seq);
            return seq.every(
              (it, i) => decisive[i]! > i || it.max === 0 || (it.min === it.max && this.single(it.node)),
            );
          }));
      this.singleMemo.set(node, r);
    }
    return r;
  }

  /** No two alternatives can match: none matches the empty string, their first characters differ. */
  private exclusive(alts: readonly Sequence[]): boolean {
    if (alts.some((seq) => seq.every((it) => this.nullable(it)))) return false;
    const firsts = alts.map((seq) => this.first(seq));
    for (let i = 0; i < firsts.length; i++) {
      for (let j = i + 1; j < firsts.length; j++) {
        if (firsts[i]!.some((x) => firsts[j]!.some((y) => this.overlap(x, y)))) return false;
      }
    }
    return true;
  }

  /**
   * For each item of a sequence that is a run of one class: the index of the later item that
   * decides where the run ends (a part that must start outside the class, or "$"); otherwise -1.
   */
  private decisive(seq: Sequence): Int32Array {
    let r = this.decisiveMemo.get(seq);
    if (r) return r;
    r = new Int32Array(seq.length).fill(-1);
    for (let i = 0; i < seq.length; i++) {
      const run = this.run(seq[i]!);
      if (!run) continue;
      for (let j = i + 1; j < seq.length; j++) {
        const it = seq[j]!;
        if (isEnd(it)) {
          r[i] = j;
          break;
        }
        if (this.first(it).some((f) => this.overlap(run, f))) break;
        if (!this.nullable(it)) {
          r[i] = j;
          break;
        }
      }
    }
    this.decisiveMemo.set(seq, r);
    return r;
  }

  /** The class of an item that repeats one character class a variable number of times. */
  private run(it: Item): SetNode | null {
    const node = it.node;
    if (node.k === 'set') return it.min !== it.max ? node : null;
    if (it.min !== 1 || it.max !== 1 || node.k !== 'group') return null;
    const only = node.alts;
    return only.length === 1 && only[0]!.length === 1 ? this.run(only[0]![0]!) : null;
  }

  private nullable(it: Item): boolean {
    if (it.min === 0 || it.node.k === 'assert') return true;
    if (it.node.k === 'set') return false;
    return it.node.alts.some((seq) => seq.every((x) => this.nullable(x)));
  }

  /** The classes the first character an item (or a sequence) consumes can come from. */
  private first(x: Item | Sequence): readonly SetNode[] {
    let r = this.firstMemo.get(x);
    if (r) return r;
    const out: SetNode[] = [];
    if ('node' in x) {
      const node = x.node;
      if (x.max > 0) {
        if (node.k === 'set') out.push(node);
        else if (node.k === 'group') for (const seq of node.alts) out.push(...this.first(seq));
      }
    } else {
      for (const it of x) {
        out.push(...this.first(it));
        if (!this.nullable(it)) break;
      }
    }
    r = out;
    this.firstMemo.set(x, r);
    return r;
  }

  /** Whether some character belongs to both sets (true when that cannot be told exactly). */
  private overlap(x: SetNode, y: SetNode): boolean {
    let byX = this.overlapMemo.get(x);
    if (!byX) {
      byX = new Map();
      this.overlapMemo.set(x, byX);
    }
    let r = byX.get(y);
    if (r === undefined) {
      r = this.enumerable(x) ? this.anyIn(x, y) : this.enumerable(y) ? this.anyIn(y, x) : true;
      byX.set(y, r);
    }
    return r;
  }

  private enumerable(x: SetNode): boolean {
    return x.members !== undefined && !x.negated && size(x.members) <= ENUMERATION_LIMIT;
  }

  /** Whether a character written in `x` matches `y` (with the pattern's case folding). */
  private anyIn(x: SetNode, y: SetNode): boolean {
    const test = this.tests.get(y);
    for (const [lo, hi] of x.members ?? []) {
      for (let cp = lo; cp <= hi; cp++) if (test.has(cp)) return true;
    }
    return false;
  }
}

/**
 * The longest value for which the backtracking engine's worst case stays within `bound` steps
 * or `perCharacter` steps per character (Infinity when it always does).
 */
export function backtrackingLimit(cost: BacktrackingCost, bound: number, perCharacter: number): number {
  const ok = (n: number): boolean => cost.total(n) <= Math.max(bound, perCharacter * (n + 1));
  const HUGE = 2 ** 40;
  if (ok(HUGE)) return Infinity;
  if (!ok(0)) return -1;
  let lo = 0;
  let hi = HUGE;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
