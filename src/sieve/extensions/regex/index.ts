// draft-ietf-sieve-regex-01: the :regex match type (POSIX extended regular expressions, see
// posix.ts) and the :quoteregex modifier of `set`. Match variables (RFC 5229 §3.2): ${0} is the
// text the whole pattern matched, ${1}… what each group matched ("" for a group that did not
// take part).
//
// Unlike Pigeonhole, which matches octets with the C library, patterns and values are Unicode:
// "." and bracket expressions match one character, [[:alpha:]] and the other classes cover
// Unicode letters, digits and punctuation (the draft's §3 defers to the comparator for case and
// says nothing of octets; RFC 5228 §2.7.3 compares characters, not octets).
import type { Comparator } from '../../comparators/types.js';
import type { Span } from '../../diagnostics.js';
import type { ExtensionDefinition, TagUse, ValidatedArguments } from '../../registry.js';
import {
  evaluate,
  SieveRuntimeError,
  type ExecutionContext,
  type Matcher,
  type StringValue,
} from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import type { SetModifier } from '../variables/index.js';
import { RegexWorkExceeded } from './linear.js';
import { compileRegex, type CompiledRegex } from './matcher.js';
import { quoteRegex, RegexSyntaxError, type CaseMode } from './posix.js';

/** The comparator decides case: i;octet exact, i;ascii-casemap ASCII only, others Unicode. */
export function caseMode(cmp: Comparator): CaseMode {
  if (cmp.caseInsensitiveAscii) return 'ascii';
  const fold = cmp.fold ?? ((s: string) => s);
  return fold('a') === fold('A') ? 'unicode' : 'octet';
}

function describe(pattern: string, e: RegexSyntaxError): string {
  return `invalid regular expression "${pattern}" at character ${e.offset + 1}: ${e.message}`;
}

/** The key list: the last positional argument of every test that takes a match type. */
function keyList(args: ValidatedArguments) {
  return args.positional[args.positional.length - 1];
}

/** The constant keys compiled by validate, by pattern, for compile to reuse. */
const validated = new WeakMap<TagUse, Map<string, CompiledRegex>>();

function validate(v: ValidationContext, use: TagUse, args: ValidatedArguments): void {
  const keys = keyList(args);
  if (!keys || !args.comparator) return;
  const mode = caseMode(args.comparator);
  const compiled = new Map<string, CompiledRegex>();
  validated.set(use, compiled);
  for (const { value, span } of v.constantValues(keys)) {
    try {
      compiled.set(value, compileRegex(value, mode));
    } catch (e) {
      if (!(e instanceof RegexSyntaxError)) throw e;
      v.error('regex.invalid', describe(value, e), span);
    }
  }
}

/** Patterns from variables, compiled at run time; bounded so that a loop cannot grow it. */
const RUNTIME_CACHE_SIZE = 64;

function compileMatcher(keys: StringValue[], mode: CaseMode, captures: boolean, use: TagUse): Matcher {
  const span = use.tag.span;
  const known = validated.get(use);
  const constant = keys.map((k) =>
    k.constant ? (known?.get(k.value) ?? compileRegex(k.value, mode)) : null,
  );
  const cache = new Map<string, CompiledRegex | RegexSyntaxError>();
  const runtime = (ctx: ExecutionContext, k: StringValue): CompiledRegex => {
    const pattern = evaluate(k, ctx);
    let c = cache.get(pattern);
    if (c === undefined) {
      try {
        c = compileRegex(pattern, mode);
      } catch (e) {
        if (!(e instanceof RegexSyntaxError)) throw e;
        c = e;
      }
      if (cache.size >= RUNTIME_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(pattern, c);
    }
    if (c instanceof RegexSyntaxError) throw new SieveRuntimeError(describe(pattern, c), span);
    return c;
  };
  return {
    match(ctx, values) {
      const compiled = keys.map((k, i) => constant[i] ?? runtime(ctx, k));
      for (const v of values) {
        for (const c of compiled) {
          ctx.step(span);
          const m = execCounted(ctx, c, v, span);
          if (m) {
            if (captures) ctx.matchValues = m.map((g) => g ?? '');
            return true;
          }
        }
      }
      return false;
    },
  };
}

/** The work the :regex matches of a run have done so far (ExecutionContext.state). */
const WORK = Symbol('regex work');

/** One match, counted against the run's `maxRegexWork`. */
function execCounted(ctx: ExecutionContext, c: CompiledRegex, value: string, span: Span) {
  const done = (ctx.state.get(WORK) as number | undefined) ?? 0;
  const limit = ctx.limits.maxRegexWork;
  try {
    return c.exec(value, limit - done);
  } catch (e) {
    if (!(e instanceof RegexWorkExceeded)) throw e;
    throw new SieveRuntimeError(
      `the regular expressions of this run took too much work: the limit is ${limit} units per run`,
      span,
    );
  } finally {
    ctx.state.set(WORK, done + c.lastWork);
  }
}

const quoteregex: SetModifier = { precedence: 20, apply: quoteRegex };

export const regex: ExtensionDefinition = {
  name: 'regex',
  setup(r) {
    r.matchType({
      name: 'regex',
      // The comparator must be able to compare characters one by one (not i;ascii-numeric).
      needsSubstring: true,
      validate,
      compile: (cc, cmp, keys, use) => compileMatcher(keys, caseMode(cmp), cc.requires('variables'), use),
    });
    // draft-ietf-sieve-regex-01 §5: with variables, the same precedence as :quotewildcard.
    r.tag(['set'], { name: 'quoteregex', data: quoteregex });
  },
};
