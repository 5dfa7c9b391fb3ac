// RFC 5235: the spamtest test (spamtest, and spamtestplus with :percent) and the virustest test.
// The scanner's verdict is read from the header the host names (host.spamtest / host.virustest,
// ScoreTestConfig) and turned into the RFC's scale; the test then matches that one string with
// the comparator and match type, like header does.
import type { ScoreTestConfig } from '../../host.js';
import type { SieveMessage } from '../../message/types.js';
import type { ExtensionDefinition, TestSpec } from '../../registry.js';
import { SieveRuntimeError, type ExecutionContext } from '../../runtime.js';
import type { Span } from '../../diagnostics.js';

/** The top of each scale: RFC 5235 §3.2.1 (spamtest, 1–10) and §3.3 (virustest, 1–5). */
const SPAM_MAX = 10;
const VIRUS_MAX = 5;

/** Reads the first decimal number in a header value ("7.3", "Yes, score=7.3 required=5"). */
function firstNumber(text: string): number | null {
  const m = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)/.exec(text);
  return m ? Number(m[0]) : null;
}

function firstHeader(message: SieveMessage, name: string): string | null {
  const values = message.headers(name);
  return values.length > 0 ? values[0]! : null;
}

/** A verdict on the RFC's scale: 0 = not tested, 1 = certainly clean … `top` = certainly bad. */
interface Verdict {
  /** 0 (untested) or 1…top. */
  readonly level: number;
  /** 0…100 for spamtestplus :percent (RFC 5235 §3.2.2); 0 when untested. */
  readonly percent: number;
}

const UNTESTED: Verdict = { level: 0, percent: 0 };

/** A score as a fraction of its maximum, on both scales. */
function fromFraction(fraction: number, top: number): Verdict {
  // The small addend keeps binary rounding (0.29 × 100 = 28.999…) from losing a percent.
  const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100 + 1e-9);
  // 0 % is "certainly clean" (level 1), 100 % is `top`; the steps between are equal.
  return { level: 1 + Math.floor((percent * (top - 1)) / 100), percent };
}

/** A level read from a text mapping, on both scales. */
function fromLevel(level: number, top: number): Verdict {
  if (!Number.isInteger(level) || level < 1 || level > top) return UNTESTED;
  return { level, percent: Math.round(((level - 1) * 100) / (top - 1)) };
}

const patternCache = new Map<string, RegExp | Error>();

function pattern(source: string): RegExp | Error {
  let re = patternCache.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(source, 'u');
    } catch (e) {
      re = e instanceof Error ? e : new Error(String(e));
    }
    if (patternCache.size > 256) patternCache.clear();
    patternCache.set(source, re);
  }
  return re;
}

/**
 * The verdict for one message. Without a configuration, without the header, or with a value the
 * configuration cannot read, the message counts as not tested: RFC 5235 §3.2.1 and §3.3 give
 * "0" for that, which is also what Pigeonhole answers.
 */
export function readVerdict(
  message: SieveMessage,
  config: ScoreTestConfig | undefined,
  top: number,
  what: string,
  span?: Span,
): Verdict {
  if (!config) return UNTESTED;
  const compiled = (source: string): RegExp => {
    const re = pattern(source);
    if (re instanceof Error) {
      throw new SieveRuntimeError(
        `${what}: the configured pattern "${source}" is not a valid regular expression: ${re.message}`,
        span,
      );
    }
    return re;
  };
  /** The value of a field, narrowed by the optional pattern; null when absent or not matched. */
  const read = (header: string, source: string | undefined): string | null => {
    const value = firstHeader(message, header);
    if (value === null || source === undefined) return value;
    const m = compiled(source).exec(value);
    if (!m) return null;
    return m.length > 1 ? (m[1] ?? '') : m[0];
  };
  const value = read(config.header, config.pattern);
  if (value === null) return UNTESTED;
  const format = config.format;
  switch (format.kind) {
    case 'score': {
      const score = firstNumber(value);
      const maxText = typeof format.max === 'number' ? null : read(format.max.header, format.max.pattern);
      const max =
        typeof format.max === 'number' ? format.max : maxText === null ? null : firstNumber(maxText);
      if (score === null || max === null || !(max > 0)) return UNTESTED;
      return fromFraction(score / max, top);
    }
    case 'length': {
      if (!(format.max > 0)) return UNTESTED;
      return fromFraction([...value.trim()].length / format.max, top);
    }
    case 'text': {
      for (const entry of format.map) {
        if (compiled(entry.pattern).test(value)) return fromLevel(entry.value, top);
      }
      return UNTESTED;
    }
    case 'yesno': {
      // "Yes", "yes, score=7.3", "NO": the first word decides.
      const word = /^[A-Za-z]+/.exec(value.trim())?.[0]?.toLowerCase();
      if (word === 'yes') return { level: top, percent: 100 };
      if (word === 'no') return { level: 1, percent: 0 };
      return UNTESTED;
    }
  }
}

function scoreTest(
  name: 'spamtest' | 'virustest',
  top: number,
  config: (ctx: ExecutionContext) => ScoreTestConfig | undefined,
): TestSpec {
  return {
    name,
    positional: [{ name: 'value', type: 'string' }],
    tags: name === 'spamtest' ? [{ name: 'percent' }] : [],
    // RFC 5235 §3.2, §3.3: [COMPARATOR] [MATCH-TYPE]; the default comparator is the base
    // language's i;ascii-casemap (RFC 5228 §2.7.3), as in Pigeonhole and sieve-rs.
    groups: ['comparator', 'match-type'],
    tests: 'none',
    validate(v, t) {
      const percent = t.tags.get('percent');
      // RFC 5235 §3.2.2: :percent belongs to the "spamtestplus" capability.
      if (percent && !v.requires('spamtestplus')) {
        v.error(
          'spamtest.percent-needs-spamtestplus',
          'the :percent argument of spamtest requires the "spamtestplus" extension: add require "spamtestplus"',
          percent.tag.span,
        );
      }
    },
    compile(cc, t) {
      const matcher = cc.matcher(t, t.positional[0]!);
      const percent = t.tags.has('percent');
      const span = t.node.span;
      return (ctx) => {
        const verdict = readVerdict(ctx.message, config(ctx), top, name, span);
        return matcher.match(ctx, [String(percent ? verdict.percent : verdict.level)]);
      };
    },
  };
}

/** spamtest (RFC 5235 §3.2); "spamtestplus" is the same code with :percent allowed. */
export const spamtest: ExtensionDefinition = {
  name: 'spamtest',
  aliases: ['spamtestplus'],
  setup(r) {
    r.test(scoreTest('spamtest', SPAM_MAX, (ctx) => ctx.host.spamtest));
  },
};

/** virustest (RFC 5235 §3.3). */
export const virustest: ExtensionDefinition = {
  name: 'virustest',
  setup(r) {
    r.test(scoreTest('virustest', VIRUS_MAX, (ctx) => ctx.host.virustest));
  },
};
