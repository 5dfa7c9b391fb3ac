// POSIX extended regular expressions (IEEE Std 1003.1, chapter 9.4), the syntax of the regex
// match type (draft-ietf-sieve-regex-01 §3), translated into JavaScript RegExp source with the
// "u" flag. Where glibc's regcomp (which Pigeonhole uses) accepts more than POSIX defines, we
// follow it: an unmatched ")" is literal, "{,n}" is "{0,n}", stacked quantifiers apply in turn,
// and \w \W \s \S \b \B \< \> are its GNU escapes. Back-references are refused
// (draft-ietf-sieve-regex-01 §3: they are not part of ERE).
//
// The translation also gives the parsed pattern, from which matcher.ts builds the
// backtracking-free engine (linear.ts) and bounds the backtracking engine's work (cost.ts).

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

/** RE_DUP_MAX: the largest count in an interval (POSIX's minimum, _POSIX_RE_DUP_MAX). */
const DUP_MAX = 255;
const UNBOUNDED = Infinity;

export interface TranslatedRegex {
  readonly source: string;
  readonly flags: string;
  /** `source` and `flags` compiled: the backtracking engine. */
  readonly regexp: RegExp;
  /** Number of capture groups. */
  readonly groups: number;
  /** The parsed pattern: its alternatives. */
  readonly alts: readonly Sequence[];
}

/** Code point ranges, both ends included. */
export type Ranges = readonly (readonly [number, number])[];

/**
 * One character from a class: `src` is a JavaScript atom matching one code point. `members`,
 * when known, lists the characters written in the pattern (before case folding by the "i"
 * flag); with `negated` the atom matches every character but those.
 */
export interface SetNode {
  readonly k: 'set';
  readonly src: string;
  readonly members?: Ranges;
  readonly negated?: boolean;
}
export interface AssertNode {
  readonly k: 'assert';
  readonly src: string;
}
export interface GroupNode {
  readonly k: 'group';
  readonly alts: readonly Sequence[];
  /** The capture group's number, 0 for a group that only groups. */
  readonly index: number;
}
export type Node = SetNode | AssertNode | GroupNode;

export interface Item {
  node: Node;
  min: number;
  max: number;
  /** Offset of the item in the pattern. */
  readonly at: number;
}
export type Sequence = readonly Item[];

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

const ANY: SetNode = { k: 'set', src: '.' };

const isAsciiLetter = (cp: number): boolean => (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
const swapCase = (cp: number): number => cp ^ 0x20;

/** The other-case counterparts of the ASCII letters in lo–hi. */
function caseRanges(lo: number, hi: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, z] of [
    [65, 90],
    [97, 122],
  ] as const) {
    const from = Math.max(lo, a);
    const to = Math.min(hi, z);
    if (from <= to) out.push([swapCase(from), swapCase(to)]);
  }
  return out;
}

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
    return this.alternatives(0);
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
      return;
    }
    // x{m1,n1}{m2,n2} is x{m1*m2,n1*n2} when every count in between is reachable (and within
    // DUP_MAX); otherwise the first repetition becomes a group that the second repeats.
    const composable = item.min <= 1 || min === max;
    const [cmin, cmax] = [item.min * min, Number.isNaN(item.max * max) ? 0 : item.max * max];
    if (composable && cmin <= DUP_MAX && (cmax === UNBOUNDED || cmax <= DUP_MAX)) {
      item.min = cmin;
      item.max = cmax;
    } else {
      item.node = { k: 'group', alts: [[{ ...item }]], index: 0 };
      item.min = min;
      item.max = max;
    }
  }

  private atom(depth: number): Node {
    const c = this.p[this.i]!;
    const at = this.i;
    switch (c) {
      case '(': {
        this.i++;
        const index = ++this.groups;
        const alts = this.alternatives(depth + 1);
        if (this.p[this.i] !== ')') this.error('unmatched "("', at);
        this.i++;
        return { k: 'group', alts, index };
      }
      case '[':
        return this.bracket();
      case '.':
        this.i++;
        return ANY;
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

  private literal(cp: number): SetNode {
    if (this.mode === 'ascii' && isAsciiLetter(cp)) {
      return {
        k: 'set',
        src: `[${String.fromCharCode(cp)}${String.fromCharCode(swapCase(cp))}]`,
        members: [
          [cp, cp],
          [swapCase(cp), swapCase(cp)],
        ],
      };
    }
    const ch = String.fromCodePoint(cp);
    return { k: 'set', src: SYNTAX.has(ch) ? `\\${ch}` : ch, members: [[cp, cp]] };
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
  private bracket(): SetNode {
    const start = this.i;
    this.i++;
    let negated = false;
    if (this.p[this.i] === '^') {
      negated = true;
      this.i++;
    }
    let out = '';
    // The characters written, while the expression uses no class other than digits.
    let members: [number, number][] | null = [];
    const add = (lo: number, hi: number): void => {
      out += lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`;
      members?.push([lo, hi]);
    };
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
        if (name === 'digit') members?.push([0x30, 0x39]);
        else if (name === 'xdigit') members?.push([0x30, 0x39], [0x41, 0x46], [0x61, 0x66]);
        else members = null;
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
        add(lo, hi);
        if (this.mode === 'ascii') for (const [a, z] of caseRanges(lo, hi)) add(a, z);
      } else {
        add(lo, lo);
        if (this.mode === 'ascii' && isAsciiLetter(lo)) add(swapCase(lo), swapCase(lo));
      }
    }
    this.i++;
    if (out === '' && negated) return { k: 'set', src: '[^]' };
    const src = `[${negated ? '^' : ''}${out}]`;
    return members ? { k: 'set', src, members, negated } : { k: 'set', src };
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

function emit(alts: readonly Sequence[]): string {
  return alts.map((seq) => seq.map(emitItem).join('')).join('|');
}

function emitItem(item: Item): string {
  const n = item.node;
  const atom = n.k === 'group' ? `(${n.index > 0 ? '' : '?:'}${emit(n.alts)})` : n.src;
  const { min, max } = item;
  if (min === 1 && max === 1) return atom;
  if (min === 0 && max === UNBOUNDED) return `${atom}*`;
  if (min === 1 && max === UNBOUNDED) return `${atom}+`;
  if (min === 0 && max === 1) return `${atom}?`;
  if (max === UNBOUNDED) return `${atom}{${min},}`;
  return min === max ? `${atom}{${min}}` : `${atom}{${min},${max}}`;
}

/** Whether every alternative starts with "^": no match can start after position 0. */
export function startAnchored(alts: readonly Sequence[]): boolean {
  return alts.every((seq) => seq[0]?.node.k === 'assert' && seq[0].node.src === '^');
}

/** Translates a POSIX ERE; throws RegexSyntaxError for an invalid pattern. */
export function translateRegex(pattern: string, mode: CaseMode): TranslatedRegex {
  const t = new Translator(pattern, mode);
  const alts = t.translate();
  const flags = mode === 'unicode' ? 'isu' : 'su';
  const source = emit(alts);
  let regexp: RegExp;
  try {
    regexp = new RegExp(source, flags);
  } catch (e) {
    // Not reached for patterns the translator accepts; reported rather than thrown at run time.
    throw new RegexSyntaxError(`invalid pattern: ${e instanceof Error ? e.message : String(e)}`, 0);
  }
  return { source, flags, regexp, groups: t.groupCount, alts };
}

/**
 * :quoteregex (draft-ietf-sieve-regex-01 §5): a backslash before every character that is
 * special in an ERE, so that the result matches the value literally.
 */
export function quoteRegex(s: string): string {
  return s.replace(/[\\^$.[\]|()?*+{}]/g, '\\$&');
}
