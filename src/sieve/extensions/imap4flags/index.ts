// RFC 5232: imap4flags. setflag, addflag and removeflag change a flag list (the internal
// variable, or a variable when the script requires variables), hasflag tests it, and `:flags`
// on keep and fileinto stores the message with an explicit list. The implicit keep, keep and
// fileinto without `:flags` use the internal variable (RFC 5232 §3, §5).
import type { Argument } from '../../ast.js';
import type { Span } from '../../diagnostics.js';
import type {
  CommandSpec,
  ExtensionDefinition,
  TagSpec,
  ValidatedArguments,
  ValidatedCommand,
} from '../../registry.js';
import {
  evaluate,
  type CompileContext,
  type Result,
  type ExecutionContext,
  type Matcher,
  type StringValue,
} from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import type { FlagsTag } from '../base/actions.js';
import { MATCH_GROUPS } from '../base/index.js';
import { getVariable, setVariable } from '../variables/index.js';

/** RFC 3501 §2.3.2 system flags a script may set, by lower-case name, in their usual spelling. */
const SYSTEM_FLAGS = new Map(
  ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((f) => [f.toLowerCase(), f]),
);

/** RFC 3501 §9 atom: no "(", ")", "{", SP, CTL, "%", "*", '"', "\\" or "]"; ASCII only. */
const ATOM = /^[\x21\x23\x24\x26-\x27\x2b-\x5b\x5e-\x7a\x7c\x7e]+$/;

/** Why a flag is not valid (RFC 5232 §3: it is then ignored), or null when it is. */
export function flagProblem(flag: string): string | null {
  if (flag.startsWith('\\')) {
    const lower = flag.toLowerCase();
    if (lower === '\\recent') return 'the \\Recent flag cannot be set by a script (RFC 5232 §3)';
    if (!SYSTEM_FLAGS.has(lower)) return `"${flag}" is not an IMAP system flag (RFC 3501 §2.3.2)`;
    return null;
  }
  if (!ATOM.test(flag))
    return `"${flag}" is not a valid IMAP keyword (RFC 3501 §9: an atom of ASCII characters)`;
  return null;
}

/**
 * RFC 5232 §3: each string is a space-separated list of flags; empty names and extra spaces
 * are ignored, and invalid flags (and \Recent) are ignored. Flags compare case-insensitively
 * (RFC 3501 §2.3.2): a duplicate keeps its first spelling; system flags take their usual one.
 */
export function normalizeFlags(values: Iterable<string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    for (const name of value.split(' ')) {
      if (name === '' || flagProblem(name) !== null) continue;
      const lower = name.toLowerCase();
      if (seen.has(lower)) continue;
      seen.add(lower);
      out.push(SYSTEM_FLAGS.get(lower) ?? name);
    }
  }
  return out;
}

/**
 * The internal variable (RFC 5232 §3) belongs to the result, as in Pigeonhole: a host that runs
 * several scripts into one result (a script sequence, the test suite) has one internal variable
 * across them, and a new result starts again from the message's flags.
 */
const INTERNAL = new WeakMap<Result, string[]>();

/**
 * The internal variable of the run's result (RFC 5232 §3). Until a script sets it, it holds the
 * flags the message already has: the implicit keep's (`host.messageFlags`, see ExecutionContext),
 * as Pigeonhole starts it from the mail's flags.
 */
function internalFlags(ctx: ExecutionContext): string[] {
  return INTERNAL.get(ctx.result) ?? ctx.result.implicitKeepFlags();
}

/**
 * Sets the internal variable of `result`. Hosts use it for the flags a message already has (the
 * test suite's test_message :folder); RFC 5232 §5: the implicit keep, keep and fileinto without
 * :flags use it.
 */
export function setInternalFlags(result: Result, flags: readonly string[]): void {
  const value = normalizeFlags(flags);
  INTERNAL.set(result, value);
  // Sorted, as keep and fileinto list their flags.
  result.implicitKeepFlags = () => [...value].sort();
}

/** The flags held by a variable (space-separated) or by the internal variable (no name). */
function readFlags(ctx: ExecutionContext, variable: string | null): string[] {
  return variable === null ? internalFlags(ctx) : normalizeFlags([getVariable(ctx, variable)]);
}

function writeFlags(ctx: ExecutionContext, variable: string | null, flags: string[], span: Span): void {
  if (variable === null) setInternalFlags(ctx.result, flags);
  else setVariable(ctx, variable, flags.join(' '), span);
}

function lower(flags: readonly string[]): Set<string> {
  return new Set(flags.map((f) => f.toLowerCase()));
}

/** RFC 5232 §4: how each command changes the current flags. */
const OPERATIONS: Record<string, (current: string[], given: string[]) => string[]> = {
  setflag: (_current, given) => given,
  addflag: (current, given) => normalizeFlags([...current, ...given]),
  removeflag: (current, given) => {
    const remove = lower(given);
    return current.filter((f) => !remove.has(f.toLowerCase()));
  },
};

/** Warns about constant flags that will be ignored (the flag commands', and :fcc's :flags). */
export function checkFlags(v: ValidationContext, arg: Argument | undefined): void {
  if (!arg) return;
  for (const { value, span } of v.constantValues(arg)) {
    for (const name of value.split(' ')) {
      const problem = name === '' ? null : flagProblem(name);
      if (problem) v.warning('imap4flags.invalid-flag', `${problem}; it is ignored`, span);
    }
  }
}

/**
 * The optional leading variable name (RFC 5232 §3): allowed only when the script requires
 * variables, and it must name a variable that can be set.
 */
function checkVariableName(v: ValidationContext, arg: Argument, what: string): void {
  if (!v.requires('variables')) {
    v.error(
      'imap4flags.variable-without-variables',
      `${what}: a variable name argument needs require "variables" (RFC 5232 §3)`,
      arg.span,
    );
    return;
  }
  const names = arg.kind === 'string' ? [arg] : arg.kind === 'string-list' ? arg.items : [];
  for (const n of names) {
    if (!v.isConstant(n) || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(v.value(n))) {
      v.error('imap4flags.invalid-variable', `${what}: "${v.value(n)}" is not a valid variable name`, n.span);
    }
  }
}

/** setflag, addflag or removeflag (a new spec each call: the deprecated imapflags declares them too). */
export function flagCommand(name: 'setflag' | 'addflag' | 'removeflag'): CommandSpec {
  const operation = OPERATIONS[name]!;
  return {
    name,
    // RFC 5232 §4: [<variablename: string>] <list-of-flags: string-list>. The validator makes
    // only trailing arguments optional: with one argument, the first is the list of flags.
    positional: [
      { name: 'variable name or list of flags', type: 'string-list' },
      { name: 'list of flags', type: 'string-list', optional: true },
    ],
    tests: 'none',
    block: 'none',
    validate(v, cmd: ValidatedCommand) {
      const n = cmd.positional.length;
      if (n === 2) {
        const arg = cmd.positional[0]!;
        if (arg.kind !== 'string') {
          v.error(
            'imap4flags.invalid-variable',
            `${name}: the variable name must be a single string`,
            arg.span,
          );
        } else checkVariableName(v, arg, name);
      }
      checkFlags(v, cmd.positional[n - 1]);
    },
    compile(cc, cmd) {
      const n = cmd.positional.length;
      const variable = n === 2 ? (cc.string(cmd.positional[0]!) as { value: string }).value : null;
      const list = cc.stringList(cmd.positional[n - 1]!);
      const span = cmd.node.span;
      return (ctx) => {
        const given = normalizeFlags(list.map((s) => evaluate(s, ctx)));
        writeFlags(ctx, variable, operation(readFlags(ctx, variable), given), span);
        return false;
      };
    },
  };
}

const flagsTag: TagSpec = {
  name: 'flags',
  value: { name: 'list of flags', type: 'string-list' },
  data: {
    compileFlags(cc, use) {
      const list: StringValue[] = cc.stringList(use.value!);
      return (ctx) => normalizeFlags(list.map((s) => evaluate(s, ctx)));
    },
  } satisfies FlagsTag,
};

/** The words of the key strings: "b A" stands for the two flags "b" and "A". */
function flagKeys(texts: readonly string[]): StringValue[] {
  return texts.flatMap((text) =>
    text.split(' ').flatMap((word) => (word === '' ? [] : [{ constant: true as const, value: word }])),
  );
}

/**
 * hasflag's matcher. RFC 5232 §4 (its example: with the flags "A B", `hasflag :is "b A"` is
 * `hasflag ["b", "A"]`): each string of the list of flags is a space-separated list of flags, so
 * the keys are the words of the strings. Constant keys are split once; keys with variables are
 * split after expansion (the matcher of the last expansion is reused).
 */
function flagKeyMatcher(cc: CompileContext, t: ValidatedArguments, keysArg: Argument): Matcher {
  const keys = cc.stringList(keysArg);
  const build = (texts: readonly string[]): Matcher => cc.matcher(t, flagKeys(texts));
  if (keys.every((k) => k.constant)) return build(keys.map((k) => (k as { value: string }).value));
  let last: { texts: string; matcher: Matcher } | null = null;
  return {
    match(ctx, values) {
      const texts = keys.map((k) => evaluate(k, ctx));
      const joined = texts.join('\n');
      if (last?.texts !== joined) last = { texts: joined, matcher: build(texts) };
      return last.matcher.match(ctx, values);
    },
  };
}

export const imap4flags: ExtensionDefinition = {
  name: 'imap4flags',
  setup(r) {
    for (const name of ['setflag', 'addflag', 'removeflag'] as const) r.command(flagCommand(name));
    // RFC 5232 §5: keep and fileinto take :flags.
    r.tag(['keep', 'fileinto'], flagsTag);

    r.test({
      name: 'hasflag',
      // RFC 5232 §4: [MATCH-TYPE] [COMPARATOR] [<variable-list: string-list>] <list-of-flags: string-list>.
      positional: [
        { name: 'variable list or list of flags', type: 'string-list' },
        { name: 'list of flags', type: 'string-list', optional: true },
      ],
      groups: MATCH_GROUPS,
      tests: 'none',
      validate(v, t) {
        if (t.positional.length === 2) checkVariableName(v, t.positional[0]!, 'hasflag');
      },
      compile(cc, t) {
        const n = t.positional.length;
        const variables =
          n === 2 ? cc.stringList(t.positional[0]!).map((s) => (s as { value: string }).value) : null;
        const matcher = flagKeyMatcher(cc, t, t.positional[n - 1]!);
        return (ctx) => {
          // RFC 5232 §4: the test compares each flag of the variables (or of the internal
          // variable) with the keys; with :count, the number of flags is compared.
          const values =
            variables === null ? internalFlags(ctx) : variables.flatMap((name) => readFlags(ctx, name));
          return matcher.match(ctx, values);
        };
      },
    });
  },
};
