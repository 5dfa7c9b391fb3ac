// POSIX extended regular expressions (IEEE Std 1003.1, chapter 9.4), the syntax of the regex
// match type (draft-ietf-sieve-regex-01 §3), translated into JavaScript RegExp source with the
// "u" flag. Where glibc's regcomp (which Pigeonhole uses) accepts more than POSIX defines, we
// follow it: an unmatched ")" is literal, "{,n}" is "{0,n}", stacked quantifiers apply in turn,
// and \w \W \s \S \b \B \< \> are its GNU escapes. Back-references are refused
// (draft-ietf-sieve-regex-01 §3: they are not part of ERE).
//
// Catastrophic backtracking: JavaScript's engine backtracks, so some patterns take time
// exponential in the value's length. The translation analyses the pattern and refuses, as a
// compile error, (1) a group repeated without bound (or more than 10 times) whose body can
// split one stretch of text between iterations in several ways (a quantified item with no
// required item of disjoint characters beside it: "(a+)+", "(\w+\s?)*", "(.*,)+"), and (2) such
// a group with alternatives that can start with the same character ("(a|ab)*"). What remains is
// polynomial: the degree is one (the search) plus the longest chain of adjacent unbounded
// items over overlapping characters ("a.*b.*c" has degree 3). Patterns of degree above 3 are
// refused; at run time a value is only matched when length^degree stays under a work bound
// (REGEX_WORK_BOUND), otherwise the run stops with an error rather than hang.

/** How letters compare: as themselves, ASCII letters case-insensitively, or all of Unicode. */
export type CaseMode = 'octet' | 'ascii' | 'unicode';

export class RegexSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the pattern (in UTF-16 code units). */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'RegexSyntaxError';
  }
}

/** Upper bound of length^degree for one match (about a second of backtracking at worst). */
export const REGEX_WORK_BOUND = 1e9;
/** RE_DUP_MAX: the largest count in an interval (POSIX's minimum, _POSIX_RE_DUP_MAX). */
const DUP_MAX = 255;
const UNBOUNDED = Infinity;
/** Repetitions above this count are treated like unbounded ones by the analysis. */
const MANY = 10;

export interface TranslatedRegex {
  readonly source: string;
  readonly flags: string;
  /** Number of capture groups. */
  readonly groups: number;
  /** Polynomial degree of the worst-case matching time in the value's length. */
  readonly degree: number;
}

type Node =
  | { k: 'set'; src: string } // one character from a class (a JS atom matching one code point)
  | { k: 'assert'; src: string }
  | { k: 'group'; alts: Item[][]; capture: boolean };

interface Item {
  node: Node;
  min: number;
  max: number;
  at: number;
}

const SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);
const CLASS_SPECIAL = new Set([...'\\]-^[']);

const CLASSES: Readonly<Record<string, string>> = {
  alpha: '\\p{Alphabetic}',
  digit: '0-9',
  alnum: '\\p{Alphabetic}\\p{Nd}',
  upper: '\\p{Uppercase}',
  lower: '\\p{Lowercase}',
  space: '\\s',
  blank: ' \\t\\p{Zs}',
  punct: '\\p{P}\\p{S}',
  print: '\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Zs}',
  graph: '\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}',
  cntrl: '\\p{Cc}',
  xdigit: '0-9A-Fa-f',
};

const isAsciiLetter = (cp: number): boolean => (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
const swapCase = (cp: number): number => cp ^ 0x20;

function classChar(cp: number): string {
  const c = String.fromCodePoint(cp);
  return CLASS_SPECIAL.has(c) ? `\\${c}` : c;
}

class Translator {
  private i = 0;
  private groups = 0;

  constructor(
    private readonly p: string,
    private readonly mode: CaseMode,
  ) {}

  translate(): Item[][] {
    const alts = this.alternatives(0);
    return alts;
  }

  get groupCount(): number {
    return this.groups;
  }

  private error(message: string, at = this.i): never {
    throw new RegexSyntaxError(message, at);
  }

  private alternatives(depth: number): Item[][] {
    const alts: Item[][] = [this.sequence(depth)];
    while (this.p[this.i] === '|') {
      this.i++;
      alts.push(this.sequence(depth));
    }
    return alts;
  }

  private sequence(depth: number): Item[] {
    const items: Item[] = [];
    for (;;) {
      const c = this.p[this.i];
      if (c === undefined || c === '|' || (c === ')' && depth > 0)) return items;
      const at = this.i;
      if (c === '*' || c === '+' || c === '?' || c === '{') {
        const prev = items[items.length - 1];
        if (!prev || prev.node.k === 'assert') this.error(`"${c}" has nothing to repeat`);
        this.quantify(prev);
        continue;
      }
      items.push({ node: this.atom(depth), min: 1, max: 1, at });
    }
  }

  /** Applies the quantifier at the cursor to `item` (stacked quantifiers compose). */
  private quantify(item: Item): void {
    const at = this.i;
    const c = this.p[this.i++]!;
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, UNBOUNDED];
    else if (c === '+') [min, max] = [1, UNBOUNDED];
    else if (c === '?') [min, max] = [0, 1];
    else {
      const m = /^(\d*)(,(\d*))?\}/.exec(this.p.slice(this.i));
      if (!m || (m[1] === '' && m[2] === undefined))
        this.error('"{" does not start a valid interval {m,n}', at);
      min = m[1] === '' ? 0 : Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? UNBOUNDED : Number(m[3]);
      if (min > DUP_MAX || (max !== UNBOUNDED && max > DUP_MAX)) {
        this.error(`interval counts may not exceed ${DUP_MAX}`, at);
      }
      if (max < min) this.error(`invalid interval {${min},${max}}: the maximum is below the minimum`, at);
      this.i += m[0].length;
    }
    if (item.min === 1 && item.max === 1) {
      item.min = min;
      item.max = max;
    } else if (item.min <= 1 || min === max) {
      // x{m1,n1}{m2,n2} is x{m1*m2,n1*n2} when every count in between is reachable.
      item.min *= min;
      item.max *= max;
    } else if (item.min === item.max) {
      item.node = { k: 'group', alts: [[{ ...item }]], capture: false };
      item.min = min;
      item.max = max;
    } else {
      this.error('this repetition of a repetition is not supported', at);
    }
    if (Number.isNaN(item.max)) item.max = 0; // 0 * Infinity
    if (item.min > DUP_MAX || (item.max !== UNBOUNDED && item.max > DUP_MAX)) {
      this.error(`interval counts may not exceed ${DUP_MAX}`, at);
    }
  }

  private atom(depth: number): Node {
    const c = this.p[this.i]!;
    const at = this.i;
    switch (c) {
      case '(': {
        this.i++;
        this.groups++;
        const alts = this.alternatives(depth + 1);
        if (this.p[this.i] !== ')') this.error('unmatched "("', at);
        this.i++;
        return { k: 'group', alts, capture: true };
      }
      case '[':
        return this.bracket();
      case '.':
        this.i++;
        return { k: 'set', src: '.' };
      case '^':
        this.i++;
        return { k: 'assert', src: '^' };
      case '$':
        this.i++;
        return { k: 'assert', src: '$' };
      case '\\':
        return this.escape();
      default: {
        const cp = this.p.codePointAt(this.i)!;
        this.i += cp > 0xffff ? 2 : 1;
        return this.literal(cp);
      }
    }
  }

  private literal(cp: number): Node {
    if (this.mode === 'ascii' && isAsciiLetter(cp)) {
      return { k: 'set', src: `[${String.fromCharCode(cp)}${String.fromCharCode(swapCase(cp))}]` };
    }
    const ch = String.fromCodePoint(cp);
    return { k: 'set', src: SYNTAX.has(ch) ? `\\${ch}` : ch };
  }

  private escape(): Node {
    const at = this.i;
    this.i++;
    const cp = this.p.codePointAt(this.i);
    if (cp === undefined) this.error('the pattern ends with a "\\"', at);
    const c = String.fromCodePoint(cp);
    this.i += c.length;
    if (/[1-9]/.test(c)) {
      this.error('back-references (\\1 … \\9) are not part of POSIX extended regular expressions', at);
    }
    switch (c) {
      case 'w':
        return { k: 'set', src: '[\\p{Alphabetic}\\p{Nd}_]' };
      case 'W':
        return { k: 'set', src: '[^\\p{Alphabetic}\\p{Nd}_]' };
      case 's':
        return { k: 'set', src: '\\s' };
      case 'S':
        return { k: 'set', src: '\\S' };
      case 'b':
        return { k: 'assert', src: '\\b' };
      case 'B':
        return { k: 'assert', src: '\\B' };
      case '<':
        return { k: 'assert', src: '(?<![\\p{Alphabetic}\\p{Nd}_])(?=[\\p{Alphabetic}\\p{Nd}_])' };
      case '>':
        return { k: 'assert', src: '(?<=[\\p{Alphabetic}\\p{Nd}_])(?![\\p{Alphabetic}\\p{Nd}_])' };
      default:
        // Any other escaped character stands for itself.
        return this.literal(cp);
    }
  }

  /** A bracket expression (POSIX 9.3.5): "]" first is literal, "\" is literal inside. */
  private bracket(): Node {
    const start = this.i;
    this.i++;
    let negated = false;
    if (this.p[this.i] === '^') {
      negated = true;
      this.i++;
    }
    let out = '';
    let first = true;
    for (;;) {
      const c = this.p[this.i];
      if (c === undefined) this.error('unmatched "["', start);
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && this.p[this.i + 1] === ':') {
        const end = this.p.indexOf(':]', this.i + 2);
        if (end < 0) this.error('unterminated character class "[:"', this.i);
        const name = this.p.slice(this.i + 2, end);
        const cls = CLASSES[name];
        if (cls === undefined || !Object.hasOwn(CLASSES, name)) {
          this.error(`unknown character class "[:${name}:]"`, this.i);
        }
        out += cls;
        if (this.mode === 'ascii' && name === 'upper') out += 'a-z';
        if (this.mode === 'ascii' && name === 'lower') out += 'A-Z';
        this.i = end + 2;
        continue;
      }
      const lo = this.element();
      if (this.p[this.i] === '-' && this.p[this.i + 1] !== ']' && this.p[this.i + 1] !== undefined) {
        const dash = this.i;
        this.i++;
        const hi = this.element();
        if (hi < lo) this.error('invalid range: its end comes before its start', dash);
        out += `${classChar(lo)}-${classChar(hi)}`;
        if (this.mode === 'ascii') out += this.caseRanges(lo, hi);
      } else {
        out += classChar(lo);
        if (this.mode === 'ascii' && isAsciiLetter(lo)) out += classChar(swapCase(lo));
      }
    }
    this.i++;
    if (out === '' && negated) return { k: 'set', src: '[^]' };
    return { k: 'set', src: `[${negated ? '^' : ''}${out}]` };
  }

  /** The other-case counterparts of the ASCII letters in lo–hi. */
  private caseRanges(lo: number, hi: number): string {
    let out = '';
    for (const [a, z] of [
      [65, 90],
      [97, 122],
    ] as const) {
      const from = Math.max(lo, a);
      const to = Math.min(hi, z);
      if (from <= to) out += `${classChar(swapCase(from))}-${classChar(swapCase(to))}`;
    }
    return out;
  }

  /** One character of a bracket expression, or a collating symbol / equivalence class. */
  private element(): number {
    const c = this.p[this.i]!;
    if (c === '[' && (this.p[this.i + 1] === '.' || this.p[this.i + 1] === '=')) {
      const kind = this.p[this.i + 1]!;
      const end = this.p.indexOf(`${kind}]`, this.i + 2);
      if (end < 0) this.error(`unterminated "[${kind}"`, this.i);
      const inner = this.p.slice(this.i + 2, end);
      const cp = inner.codePointAt(0);
      if (cp === undefined || String.fromCodePoint(cp) !== inner) {
        this.error(`only single characters are supported in "[${kind}${inner}${kind}]"`, this.i);
      }
      this.i = end + 2;
      return cp;
    }
    const cp = this.p.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }
}

function emit(alts: Item[][]): string {
  return alts.map((seq) => seq.map(emitItem).join('')).join('|');
}

function emitItem(item: Item): string {
  const n = item.node;
  const atom = n.k === 'group' ? `(${n.capture ? '' : '?:'}${emit(n.alts)})` : n.src;
  const { min, max } = item;
  if (min === 1 && max === 1) return atom;
  if (min === 0 && max === UNBOUNDED) return `${atom}*`;
  if (min === 1 && max === UNBOUNDED) return `${atom}+`;
  if (min === 0 && max === 1) return `${atom}?`;
  if (max === UNBOUNDED) return `${atom}{${min},}`;
  return min === max ? `${atom}{${min}}` : `${atom}{${min},${max}}`;
}

// --- Analysis -----------------------------------------------------------------------------

/** Characters that stand for the classes a pattern can use, to test two sets for overlap. */
const PROBES: readonly string[] = [
  ...Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)),
  ...'\u00a0\u00e9\u00c9\u00df\u017f\u212a\u03c0\u03a9\u4e2d\u0661\u01c5\u2028\u0301\u00aa',
  '\u{1F600}',
];

/** A set of characters, as the probes it contains. */
type CharSet = Uint8Array<ArrayBuffer>;

function setOf(src: string, flags: string): CharSet {
  const re = new RegExp(`^(?:${src})$`, flags);
  return Uint8Array.from(PROBES, (c) => (re.test(c) ? 1 : 0));
}

function union(a: CharSet, b: CharSet): CharSet {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! | b[i]!;
  return out;
}

function overlaps(a: CharSet, b: CharSet): boolean {
  for (let i = 0; i < a.length; i++) if (a[i]! & b[i]!) return true;
  return false;
}

class Analyzer {
  private readonly cache = new Map<Node, CharSet>();
  degree = 1;

  constructor(private readonly flags: string) {}

  chars(n: Node): CharSet {
    let s = this.cache.get(n);
    if (!s) {
      if (n.k === 'set') s = setOf(n.src, this.flags);
      else if (n.k === 'assert') s = new Uint8Array(PROBES.length);
      else {
        s = new Uint8Array(PROBES.length);
        for (const seq of n.alts) for (const it of seq) s = union(s, this.chars(it.node));
      }
      this.cache.set(n, s);
    }
    return s;
  }

  first(seq: Item[]): CharSet {
    let s = new Uint8Array(PROBES.length);
    for (const it of seq) {
      s = union(s, it.node.k === 'group' ? this.firstOfAlts(it.node.alts) : this.chars(it.node));
      if (!this.nullable(it)) break;
    }
    return s;
  }

  private firstOfAlts(alts: Item[][]): CharSet {
    let s = new Uint8Array(PROBES.length);
    for (const seq of alts) s = union(s, this.first(seq));
    return s;
  }

  nullable(it: Item): boolean {
    if (it.min === 0 || it.node.k === 'assert') return true;
    if (it.node.k === 'set') return false;
    return it.node.alts.some((seq) => seq.every((x) => this.nullable(x)));
  }

  /** Whether the item can match texts of different lengths (a choice for the backtracker). */
  variable(it: Item): boolean {
    if (it.min !== it.max) return true;
    return it.node.k === 'group' && it.node.alts.some((seq) => seq.some((x) => this.variable(x)));
  }

  private repeatsMany(it: Item): boolean {
    return it.max > MANY;
  }

  /** Checks every sequence of the pattern; updates `degree`. */
  check(alts: Item[][]): void {
    for (const seq of alts) this.checkSequence(seq);
  }

  private checkSequence(seq: Item[]): void {
    let chain = 0;
    let prev: CharSet | null = null;
    let delimited = false;
    for (let k = 0; k < seq.length; k++) {
      const it = seq[k]!;
      if (it.node.k === 'group') {
        this.check(it.node.alts);
        if (this.repeatsMany(it)) this.checkRepeatedGroup(it, it.node.alts);
      }
      const chars = this.chars(it.node);
      if (it.max === UNBOUNDED || (it.node.k === 'group' && this.repeatsMany(it))) {
        chain = prev !== null && !delimited && overlaps(prev, chars) ? chain + 1 : 1;
        prev = chars;
        delimited = false;
        this.degree = Math.max(this.degree, 1 + chain);
      } else if (prev !== null && !this.nullable(it) && !overlaps(prev, chars)) {
        delimited = true;
      }
    }
  }

  /** Refuses a repeated group whose iterations can divide one text in many ways. */
  private checkRepeatedGroup(it: Item, alts: Item[][]): void {
    if (alts.length > 1) {
      for (let a = 0; a < alts.length; a++) {
        for (let b = a + 1; b < alts.length; b++) {
          if (overlaps(this.first(alts[a]!), this.first(alts[b]!))) {
            throw new RegexSyntaxError(
              'a repeated group whose alternatives can start with the same character can take exponential time; make the alternatives start differently',
              it.at,
            );
          }
        }
      }
    }
    for (const seq of alts) {
      for (const x of seq) {
        if (!this.variable(x)) continue;
        const cx = this.chars(x.node);
        const delimiter = seq.some((d) => d !== x && !this.nullable(d) && !overlaps(this.chars(d.node), cx));
        if (!delimiter) {
          throw new RegexSyntaxError(
            'nested repetition (a repeated group containing a quantifier over the same characters, like "(a+)+") can take exponential time',
            it.at,
          );
        }
      }
    }
  }
}

/** Translates a POSIX ERE; throws RegexSyntaxError for invalid or catastrophic patterns. */
export function translateRegex(pattern: string, mode: CaseMode): TranslatedRegex {
  const t = new Translator(pattern, mode);
  const alts = t.translate();
  const flags = mode === 'unicode' ? 'isu' : 'su';
  const source = emit(alts);
  try {
    new RegExp(source, flags);
  } catch (e) {
    // Not reached for patterns the translator accepts; reported rather than thrown at run time.
    throw new RegexSyntaxError(`invalid pattern: ${e instanceof Error ? e.message : String(e)}`, 0);
  }
  const a = new Analyzer(flags);
  a.check(alts);
  if (a.degree > 3) {
    throw new RegexSyntaxError(
      `too many adjacent repetitions over the same characters (matching time would grow with the ${a.degree}th power of the value's length)`,
      0,
    );
  }
  return { source, flags, groups: t.groupCount, degree: a.degree };
}

/**
 * :quoteregex (draft-ietf-sieve-regex-01 §5): a backslash before every character that is
 * special in an ERE, so that the result matches the value literally.
 */
export function quoteRegex(s: string): string {
  return s.replace(/[\\^$.[\]|()?*+{}]/g, '\\$&');
}
