// Whether one character belongs to a set node of a translated pattern. The answer comes from a
// one-character RegExp with the pattern's own flags, so that bracket expressions, classes and
// case folding ("i" with "u") decide exactly as they do inside the backtracking engine.
import type { SetNode } from './posix.js';

/** Answers kept for characters beyond ASCII before the cache starts over. */
const CACHE_SIZE = 4096;

export class CharTest {
  private readonly re: RegExp;
  /** ASCII answers: 0 not asked yet, 1 member, 2 not a member. */
  private readonly ascii = new Uint8Array(128);
  private readonly other = new Map<number, boolean>();

  constructor(src: string, flags: string) {
    this.re = new RegExp(`^(?:${src})$`, flags);
  }

  has(cp: number): boolean {
    if (cp < 128) {
      const known = this.ascii[cp]!;
      if (known !== 0) return known === 1;
      const yes = this.re.test(String.fromCharCode(cp));
      this.ascii[cp] = yes ? 1 : 2;
      return yes;
    }
    let yes = this.other.get(cp);
    if (yes === undefined) {
      yes = this.re.test(String.fromCodePoint(cp));
      if (this.other.size >= CACHE_SIZE) this.other.clear();
      this.other.set(cp, yes);
    }
    return yes;
  }
}

/** The tests of one pattern's set nodes, made when first asked for. */
export class CharTests {
  private readonly tests = new Map<SetNode, CharTest>();

  constructor(readonly flags: string) {}

  get(node: SetNode): CharTest {
    let t = this.tests.get(node);
    if (!t) {
      t = new CharTest(node.src, this.flags);
      this.tests.set(node, t);
    }
    return t;
  }
}
