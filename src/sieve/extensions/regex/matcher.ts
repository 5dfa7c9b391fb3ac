// A compiled :regex key with two engines that give the same results: JavaScript's RegExp (fast,
// but backtracking: some patterns take time polynomial or exponential in the value's length)
// and the Pike VM of linear.ts (time proportional to pattern size × value length). Each value
// goes to the RegExp while cost.ts's bound of its worst case stays small for the value's
// length, and to the Pike VM otherwise. Every valid pattern compiles; no value is refused.
import { CharTests } from './charset.js';
import { backtrackingLimit, BacktrackingCost } from './cost.js';
import { LinearProgram, RegexWorkExceeded } from './linear.js';
import { translateRegex, type CaseMode } from './posix.js';

/** Backtracking steps always allowed for one value (some milliseconds at worst). */
export const BACKTRACKING_BOUND = 1e7;
/** Beyond that, steps per character and program instruction (the Pike VM's own unit of work). */
const STEPS_PER_INSTRUCTION = 16;

export class CompiledRegex {
  private resumable: RegExp | null = null;
  /** cost.total(2^k) by k, filled as values of each length class come. */
  private readonly bounds: number[] = [];
  /** The work of the last exec, in the units of RegexWorkExceeded's budget (see exec). */
  lastWork = 0;

  constructor(
    readonly backtracking: RegExp,
    readonly linear: LinearProgram,
    /** The longest value given to the backtracking engine. */
    readonly backtrackingLimit: number,
    private readonly cost: BacktrackingCost,
  ) {}

  /**
   * The leftmost match: ${0}, then each group (undefined when it took no part); or null. Its work
   * is left in `lastWork`: for the backtracking engine the bound of its worst case on a value of
   * this length (rounded up to a power of two), for the Pike VM what it did. When that would pass
   * `budget`, throws RegexWorkExceeded (the Pike VM stops as soon as it passes it).
   */
  exec(value: string, budget = Infinity): (string | undefined)[] | null {
    if (value.length > this.backtrackingLimit) {
      try {
        return this.linear.exec(value, budget);
      } finally {
        this.lastWork = this.linear.lastWork;
      }
    }
    this.lastWork = this.bound(value.length);
    if (this.lastWork > budget) throw new RegexWorkExceeded();
    return this.execBacktracking(value);
  }

  private bound(n: number): number {
    const k = n <= 1 ? 0 : 32 - Math.clz32(n - 1);
    return (this.bounds[k] ??= Math.ceil(this.cost.total(Math.min(2 ** k, this.backtrackingLimit))));
  }

  /**
   * The backtracking engine's match. With the "u" flag a search should start only between
   * characters (ECMA-262 AdvanceStringIndex), but V8 also finds an empty match between the two
   * halves of a surrogate pair; such a match is skipped and the search goes on after the pair.
   */
  execBacktracking(value: string): RegExpExecArray | null {
    let m = this.backtracking.exec(value);
    while (m && isInsidePair(value, m.index)) {
      this.resumable ??= new RegExp(this.backtracking.source, `${this.backtracking.flags}g`);
      this.resumable.lastIndex = m.index + 1;
      m = this.resumable.exec(value);
    }
    return m;
  }
}

function isInsidePair(s: string, i: number): boolean {
  const before = s.charCodeAt(i - 1);
  const after = s.charCodeAt(i);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/** Compiles a POSIX ERE; throws RegexSyntaxError for an invalid or absurdly large pattern. */
export function compileRegex(pattern: string, mode: CaseMode): CompiledRegex {
  const t = translateRegex(pattern, mode);
  const tests = new CharTests(t.flags);
  const linear = new LinearProgram(t, tests);
  const cost = new BacktrackingCost(t.alts, tests);
  const limit = backtrackingLimit(cost, BACKTRACKING_BOUND, STEPS_PER_INSTRUCTION * linear.size);
  return new CompiledRegex(t.regexp, linear, limit, cost);
}
