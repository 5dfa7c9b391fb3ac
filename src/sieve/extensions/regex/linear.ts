// A backtracking-free engine for translated patterns: a Pike VM (Thompson's NFA simulation with
// capture slots, threads kept in priority order). It finds the same match, with the same
// groups, as JavaScript's backtracking engine (ECMA-262 §22.2.2), in time proportional to the
// program's size times the value's length:
// - threads are ordered as the backtracker would try them (greedy repetitions try one more
//   iteration first, alternatives left to right) and a thread that reaches an instruction
//   already reached at the same position by a thread of higher priority is dropped, since the
//   backtracker would have found any match it can find through that one first;
// - each iteration of a repetition clears the captures of the groups inside it (RepeatMatcher
//   step 4), and an iteration beyond the minimum that consumed nothing fails (step 2.b): a
//   MARK/CHECK pair per repetition, with the mark living only while the closure at one position
//   explores its path;
// - counted repetitions x{m,n} are expanded into copies, so the program's size is bounded
//   (MAX_PROGRAM_SIZE) and a larger pattern is refused when it is compiled.
import type { CharTests, CharTest } from './charset.js';
import {
  RegexSyntaxError,
  startAnchored,
  type Item,
  type Node,
  type Sequence,
  type TranslatedRegex,
} from './posix.js';

/** The most instructions a pattern may expand to (each costs time at every character). */
export const MAX_PROGRAM_SIZE = 20_000;

// Instructions: an opcode and two operands.
const CHAR = 0; // consume one character of set a
const ASSERT = 1; // zero-width assertion a
const SPLIT = 2; // continue at a, then (lower priority) at b
const JMP = 3; // continue at a
const SAVE = 4; // capture slot a := position
const CLEAR = 5; // capture slots a … b-1 := unset
const MARK = 6; // repetition a starts an iteration at this position
const CHECK = 7; // fail if repetition a's iteration consumed nothing
const MATCH = 8;

// Entries of the closure's work stack: three numbers each.
const VISIT = 0; // visit instruction x
const RESTORE = 1; // capture slot x := y (undo on the way back)
const UNMARK = 2; // repetition x: mark gone (undo on the way back)

type Assertion = (input: string, pos: number) => boolean;

function assertion(src: string, flags: string): Assertion {
  // Without the "m" flag, ^ and $ hold only at the ends of the value.
  if (src === '^') return (_input, pos) => pos === 0;
  if (src === '$') return (input, pos) => pos === input.length;
  const re = new RegExp(src, `${flags}y`);
  return (input, pos) => {
    re.lastIndex = pos;
    return re.test(input);
  };
}

class Builder {
  readonly op: number[] = [];
  readonly a: number[] = [];
  readonly b: number[] = [];
  readonly sets: CharTest[] = [];
  readonly asserts: Assertion[] = [];
  loops = 0;
  private readonly setIds = new Map<Node, number>();
  private readonly captures = new Map<Node, [number, number]>();
  /** The outermost repetition being expanded: the place to name when the program grows too large. */
  private outer: Item | null = null;

  constructor(
    private readonly tests: CharTests,
    private readonly flags: string,
  ) {}

  get pc(): number {
    return this.op.length;
  }

  emit(op: number, a = 0, b = 0): number {
    if (this.op.length >= MAX_PROGRAM_SIZE) {
      throw new RegexSyntaxError(
        `the pattern is too large: it expands to more than ${MAX_PROGRAM_SIZE} instructions ` +
          '(a repetition counts as many times as it repeats); use smaller repetition counts',
        this.outer?.at ?? 0,
      );
    }
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }

  alternatives(alts: readonly Sequence[]): void {
    const jumps: number[] = [];
    for (let i = 0; i < alts.length; i++) {
      const last = i === alts.length - 1;
      const split = last ? -1 : this.emit(SPLIT, this.pc + 1);
      for (const it of alts[i]!) this.item(it);
      if (!last) {
        jumps.push(this.emit(JMP));
        this.b[split] = this.pc;
      }
    }
    for (const j of jumps) this.a[j] = this.pc;
  }

  private item(it: Item): void {
    const { min, max, node } = it;
    if (min === 1 && max === 1) {
      this.node(node);
      return;
    }
    const outermost = this.outer === null;
    if (outermost) this.outer = it;
    const [from, to] = this.captureSlots(node);
    const iteration = (): void => {
      if (to > from) this.emit(CLEAR, from, to);
      this.node(node);
    };
    for (let i = 0; i < min; i++) iteration();
    if (max === Infinity) {
      const loop = this.emit(SPLIT, this.pc + 1);
      const id = this.loops++;
      this.emit(MARK, id);
      iteration();
      this.emit(CHECK, id);
      this.emit(JMP, loop);
      this.b[loop] = this.pc;
    } else {
      const splits: number[] = [];
      for (let i = min; i < max; i++) {
        splits.push(this.emit(SPLIT, this.pc + 1));
        const id = this.loops++;
        this.emit(MARK, id);
        iteration();
        this.emit(CHECK, id);
      }
      for (const s of splits) this.b[s] = this.pc;
    }
    if (outermost) this.outer = null;
  }

  private node(node: Node): void {
    switch (node.k) {
      case 'set': {
        let id = this.setIds.get(node);
        if (id === undefined) {
          id = this.sets.push(this.tests.get(node)) - 1;
          this.setIds.set(node, id);
        }
        this.emit(CHAR, id);
        return;
      }
      case 'assert':
        this.emit(ASSERT, this.asserts.push(assertion(node.src, this.flags)) - 1);
        return;
      case 'group':
        if (node.index > 0) this.emit(SAVE, 2 * node.index);
        this.alternatives(node.alts);
        if (node.index > 0) this.emit(SAVE, 2 * node.index + 1);
    }
  }

  /** The capture slots of the groups inside a node: [from, to), empty when there are none. */
  private captureSlots(node: Node): [number, number] {
    let r = this.captures.get(node);
    if (r) return r;
    r = [0, 0];
    if (node.k === 'group') {
      let lo = node.index > 0 ? node.index : Infinity;
      let hi = node.index;
      for (const seq of node.alts) {
        for (const it of seq) {
          const [f, t] = this.captureSlots(it.node);
          if (t > f) {
            lo = Math.min(lo, f / 2);
            hi = Math.max(hi, t / 2 - 1);
          }
        }
      }
      if (hi > 0) r = [2 * lo, 2 * hi + 2];
    }
    this.captures.set(node, r);
    return r;
  }
}

/** A match went past the work it was allowed (see LinearProgram.exec and CompiledRegex.exec). */
export class RegexWorkExceeded extends Error {
  constructor() {
    super('regular expression work limit exceeded');
    this.name = 'RegexWorkExceeded';
  }
}

export class LinearProgram {
  /** The work of the last exec (see exec). */
  lastWork = 0;
  private readonly op: Int32Array;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly sets: readonly CharTest[];
  private readonly asserts: readonly Assertion[];
  private readonly loops: number;
  private readonly slots: number;
  /** The most threads alive at once: one per instruction a thread waits at (CHAR, MATCH). */
  private readonly threads: number;
  /** Entries of the closure's work stack (see exec). */
  private readonly stackSize: number;
  /** The entries exec allocates, counted as work: the set-up of a match costs that much. */
  private readonly setup: number;
  /** Every alternative starts with "^": no match can start after position 0. */
  private readonly anchored: boolean;
  /**
   * The sets of the characters a match can start with; null when a match can be empty. While no
   * thread is alive, the search skips the characters in none of them.
   */
  private readonly starts: readonly CharTest[] | null;

  constructor(t: TranslatedRegex, tests: CharTests) {
    const bld = new Builder(tests, t.flags);
    bld.emit(SAVE, 0);
    bld.alternatives(t.alts);
    bld.emit(SAVE, 1);
    bld.emit(MATCH);
    this.op = Int32Array.from(bld.op);
    this.a = Int32Array.from(bld.a);
    this.b = Int32Array.from(bld.b);
    this.sets = bld.sets;
    this.asserts = bld.asserts;
    this.loops = bld.loops;
    this.slots = 2 * (t.groups + 1);
    let threads = 0;
    let cleared = 0;
    for (let pc = 0; pc < this.op.length; pc++) {
      if (this.op[pc] === CHAR || this.op[pc] === MATCH) threads++;
      else if (this.op[pc] === CLEAR) cleared += this.b[pc]! - this.a[pc]!;
    }
    this.threads = threads;
    // Each instruction is visited once per closure and pushes at most one entry (CLEAR: one per
    // slot it clears), each of 3 numbers.
    this.stackSize = 3 * (this.op.length + cleared + 1);
    this.setup = 2 * threads * (this.slots + 1) + this.op.length + this.loops + this.slots + this.stackSize;
    this.anchored = startAnchored(t.alts);
    this.starts = this.startSets();
  }

  /** The CHAR instructions reachable without consuming, taking every assertion as true. */
  private startSets(): CharTest[] | null {
    const seen = new Set<number>();
    const out = new Set<CharTest>();
    const todo = [0];
    while (todo.length > 0) {
      const pc = todo.pop()!;
      if (seen.has(pc)) continue;
      seen.add(pc);
      const o = this.op[pc]!;
      if (o === MATCH) return null;
      if (o === CHAR) out.add(this.sets[this.a[pc]!]!);
      else if (o === JMP) todo.push(this.a[pc]!);
      else if (o === SPLIT) todo.push(this.a[pc]!, this.b[pc]!);
      else todo.push(pc + 1);
    }
    return [...out];
  }

  /** Number of instructions. */
  get size(): number {
    return this.op.length;
  }

  /**
   * The leftmost match and its groups (undefined for a group that took no part), or null. Its
   * work (the entries its set-up allocates, instructions visited, capture slots copied,
   * positions) is left in `lastWork`; past `budget` the match stops with RegexWorkExceeded,
   * checked before the set-up, at each position and at the end.
   */
  exec(input: string, budget = Infinity): (string | undefined)[] | null {
    const { op, a, b, sets, asserts, slots, starts, threads } = this;
    const n = input.length;
    // The work: the set-up, instructions visited by the closures, capture slots copied, positions.
    let work = this.setup;
    if (work > budget) return this.exceeded(work);
    let clist = new Int32Array(threads);
    let ccaps = new Int32Array(threads * slots);
    let nlist = new Int32Array(threads);
    let ncaps = new Int32Array(threads * slots);
    const visited = new Int32Array(op.length);
    const marked = new Uint8Array(this.loops);
    const cur = new Int32Array(slots);
    const stack = new Int32Array(this.stackSize);
    let generation = 0;
    let matched: Int32Array | null = null;

    // Adds the threads reachable from pc without consuming (in priority order) to a list.
    const closure = (list: Int32Array, caps: Int32Array, len: number, start: number, pos: number): number => {
      let sp = 0;
      stack[sp++] = VISIT;
      stack[sp++] = start;
      stack[sp++] = 0;
      while (sp > 0) {
        const y = stack[--sp]!;
        const x = stack[--sp]!;
        const kind = stack[--sp]!;
        if (kind === RESTORE) {
          cur[x] = y;
          continue;
        }
        if (kind === UNMARK) {
          marked[x] = 0;
          continue;
        }
        let pc = x;
        for (;;) {
          work++;
          if (visited[pc] === generation) break;
          visited[pc] = generation;
          const o = op[pc]!;
          if (o === JMP) {
            pc = a[pc]!;
          } else if (o === SPLIT) {
            stack[sp++] = VISIT;
            stack[sp++] = b[pc]!;
            stack[sp++] = 0;
            pc = a[pc]!;
          } else if (o === SAVE) {
            const s = a[pc]!;
            stack[sp++] = RESTORE;
            stack[sp++] = s;
            stack[sp++] = cur[s]!;
            cur[s] = pos;
            pc++;
          } else if (o === CLEAR) {
            for (let s = a[pc]!; s < b[pc]!; s++) {
              stack[sp++] = RESTORE;
              stack[sp++] = s;
              stack[sp++] = cur[s]!;
              cur[s] = -1;
            }
            pc++;
          } else if (o === MARK) {
            stack[sp++] = UNMARK;
            stack[sp++] = a[pc]!;
            stack[sp++] = 0;
            marked[a[pc]!] = 1;
            pc++;
          } else if (o === CHECK) {
            if (marked[a[pc]!] === 1) break;
            pc++;
          } else if (o === ASSERT) {
            if (!asserts[a[pc]!]!(input, pos)) break;
            pc++;
          } else {
            // CHAR or MATCH: a thread waits here.
            list[len] = pc;
            work += slots;
            const base = len * slots;
            for (let s = 0; s < slots; s++) caps[base + s] = cur[s]!;
            len++;
            break;
          }
        }
      }
      return len;
    };

    let pos = 0;
    generation++;
    cur.fill(-1);
    let clen = closure(clist, ccaps, 0, 0, 0);
    for (;;) {
      work += clen + 1;
      if (work > budget) return this.exceeded(work);
      const cp = pos < n ? input.codePointAt(pos)! : -1;
      const width = cp > 0xffff ? 2 : 1;
      generation++;
      let nlen = 0;
      for (let i = 0; i < clen; i++) {
        const pc = clist[i]!;
        if (op[pc] === MATCH) {
          // Threads after this one have lower priority: the backtracker would never reach them.
          matched = ccaps.slice(i * slots, (i + 1) * slots);
          break;
        }
        if (cp >= 0 && sets[a[pc]!]!.has(cp)) {
          const base = i * slots;
          work += slots;
          for (let s = 0; s < slots; s++) cur[s] = ccaps[base + s]!;
          nlen = closure(nlist, ncaps, nlen, pc + 1, pos + width);
        }
      }
      if (pos >= n) break;
      pos += width;
      // The search: a new thread starting here, after all the older ones.
      if (matched === null && !this.anchored) {
        if (nlen === 0 && starts) {
          const from = pos;
          for (; pos < n; pos += input.codePointAt(pos)! > 0xffff ? 2 : 1) {
            const c = input.codePointAt(pos)!;
            if (starts.some((t) => t.has(c))) break;
          }
          // Instructions visited at the earlier position say nothing about this one.
          if (pos !== from) generation++;
        }
        cur.fill(-1);
        work += slots;
        nlen = closure(nlist, ncaps, nlen, 0, pos);
      }
      [clist, nlist] = [nlist, clist];
      [ccaps, ncaps] = [ncaps, ccaps];
      clen = nlen;
      if (clen === 0 && (matched !== null || this.anchored)) break;
    }
    // The closures of the last position ran after its check.
    if (work > budget) return this.exceeded(work);
    this.lastWork = work;
    if (matched === null) return null;
    const groups: (string | undefined)[] = [];
    for (let g = 0; g < slots; g += 2) {
      const s = matched[g]!;
      const e = matched[g + 1]!;
      groups.push(s >= 0 && e >= 0 ? input.slice(s, e) : undefined);
    }
    return groups;
  }

  private exceeded(work: number): never {
    this.lastWork = work;
    throw new RegexWorkExceeded();
  }
}
