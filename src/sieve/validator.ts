// Semantic checks driven by the registry (RFC 5228 §2.6, §3.2, §8.2): arguments, tags,
// tests, blocks, require, elsif/else placement. Every error is reported, also in code that
// can never run, and validation continues after each.
import {
  argumentKindName,
  type Argument,
  type CommandNode,
  type ScriptNode,
  type StringArgument,
  type TestNode,
} from './ast.js';
import type { DiagnosticBag, Span } from './diagnostics.js';
import type { Limits } from './limits.js';
import type {
  ArgType,
  CommandSpec,
  Registration,
  Registry,
  TagSpec,
  TagUse,
  TestSpec,
  ValidatedArguments,
  ValidatedCommand,
  ValidatedTest,
} from './registry.js';

export interface ValidatedScript {
  readonly commands: readonly ValidatedCommand[];
  /** The capabilities the script requires. */
  readonly required: ReadonlySet<string>;
  /** String literal values after the string transforms (encoded-character). */
  readonly strings: ReadonlyMap<StringArgument, string>;
}

/** What spec.validate hooks get. */
export interface ValidationContext {
  readonly limits: Limits;
  error(code: string, message: string, span: Span): void;
  warning(code: string, message: string, span: Span): void;
  requires(capability: string): boolean;
  /** The value of a string literal after transforms. */
  value(arg: StringArgument): string;
  /**
   * The values of a string or string-list argument known at compile time, after transforms;
   * items substituted at run time (variables) are left out, to be checked when they run.
   */
  constantValues(arg: Argument): { value: string; span: Span }[];
  /** Whether this literal's value is known at compile time (no run-time substitution). */
  isConstant(arg: StringArgument): boolean;
  /** Whether the engine offers this capability (known and enabled), required or not (ihave). */
  supports(capability: string): boolean;
  /**
   * The commands whose blocks hold the command or test being validated, outermost first (so
   * `break` can find its foreverypart loop, RFC 5703 §3).
   */
  enclosing(): readonly CommandNode[];
}

/**
 * RFC 5463 §4 (ihave): a test spec with this member names capabilities that, when the engine
 * supports them all, count as required inside the block of the if/elsif the test guards (so
 * their commands need no require there). When one is not supported, the test is false and the
 * block is not validated at all: it may use commands this engine does not know.
 */
export interface CapabilityTestSpec {
  testedCapabilities(v: ValidationContext, test: TestNode): readonly string[];
  /**
   * Whether the test may enable a supported capability (default yes). RFC 5463 §4: ihave must
   * not enable extensions that change how the script is read (variables, encoded-character).
   */
  mayEnable?(capability: string): boolean;
}

function isCapabilityTest(spec: object): spec is CapabilityTestSpec {
  return 'testedCapabilities' in spec && typeof spec.testedCapabilities === 'function';
}

const typeName: Record<ArgType, string> = {
  string: 'string',
  'string-list': 'string list',
  number: 'number',
};

function accepts(type: ArgType, a: Argument): boolean {
  if (type === 'string-list') return a.kind === 'string' || a.kind === 'string-list';
  return a.kind === type;
}

export function validate(
  script: ScriptNode,
  registry: Registry,
  enabled: ReadonlySet<string>,
  limits: Limits,
  diags: DiagnosticBag,
): ValidatedScript {
  const required = new Set<string>();
  const strings = new Map<StringArgument, string>();
  const reportedUnknown = new Set<string>();

  const ctx: ValidationContext = {
    limits,
    error: (code, message, span) => diags.error(code, message, span),
    warning: (code, message, span) => diags.warning(code, message, span),
    requires: (c) => required.has(c),
    value: (arg) => strings.get(arg) ?? arg.value,
    constantValues: (arg) => {
      const items = arg.kind === 'string' ? [arg] : arg.kind === 'string-list' ? arg.items : [];
      return items.filter((i) => ctx.isConstant(i)).map((i) => ({ value: ctx.value(i), span: i.span }));
    },
    isConstant: (arg) => !dynamic.some((d) => d(ctx.value(arg))),
    supports: (c) => enabled.has(c) && registry.extensions.has(c),
    enclosing: () => enclosing,
  };
  /** The commands whose blocks are being validated, outermost first. */
  const enclosing: CommandNode[] = [];
  /** Predicates of extensions that substitute strings at run time (variables), once required. */
  const dynamic: ((s: string) => boolean)[] = [];

  /**
   * Requires a capability (and the extension that declares it); reports a capability it cannot
   * be used with (ExtensionDefinition.conflicts) that is required already. Returns the names
   * added to `required`.
   */
  const requireCapability = (cap: string, span: Span): string[] => {
    const added: string[] = [];
    for (const name of [cap, registry.extensions.get(cap)!.name]) {
      if (!required.has(name)) {
        required.add(name);
        added.push(name);
      }
    }
    for (const other of registry.conflictsOf(cap)) {
      if (!required.has(other) || added.length === 0) continue;
      diags.error(
        'require.conflict',
        `the extension "${cap}" cannot be used together with "${other}" (one replaces the other: require only one)`,
        span,
      );
      break;
    }
    return added;
  };

  /** RFC 5228 §3.2: require only at the start; every capability must be known. */
  const commands = script.commands;
  let i = 0;
  for (; i < commands.length; i++) {
    const c = commands[i]!;
    const reg = registry.command(c.name, required);
    if (!reg?.spec.leading) break;
    for (const a of c.args) {
      if (a.kind !== 'string' && a.kind !== 'string-list') continue;
      for (const s of a.kind === 'string' ? [a] : a.items) {
        const cap = s.value;
        if (!enabled.has(cap) || !registry.extensions.has(cap)) {
          diags.error('require.unknown-extension', `require: unknown Sieve capability "${cap}"`, s.span);
        } else {
          requireCapability(cap, s.span);
        }
      }
    }
  }

  const interpolations = registry.interpolations.filter((t) => required.has(t.extension));
  for (const i of interpolations) dynamic.push((s) => i.spec.isDynamic(s));

  // String literals: apply the transforms of required extensions (encoded-character) once.
  const transforms = registry.stringTransforms.filter((t) => required.has(t.extension));
  const visitStrings = (args: readonly Argument[]): void => {
    for (const a of args) {
      const list = a.kind === 'string' ? [a] : a.kind === 'string-list' ? a.items : [];
      for (const s of list) {
        let v = s.value;
        for (const t of transforms) v = t.spec(v, s.span, ctx);
        if (v.length > limits.maxStringLength) {
          diags.error(
            'limit.string-length',
            `string is too long (${v.length} characters; the limit is ${limits.maxStringLength})`,
            s.span,
          );
        }
        if (v !== s.value) strings.set(s, v);
        for (const i of interpolations) if (i.spec.isDynamic(v)) i.spec.validate?.(v, s.span, ctx);
      }
    }
  };
  const walkStrings = (n: CommandNode | TestNode): void => {
    visitStrings(n.args);
    for (const t of n.tests) walkStrings(t);
    if (n.kind === 'command' && n.block) for (const c of n.block) walkStrings(c);
  };
  for (const c of commands) walkStrings(c);

  /** Extensions whose missing require was reported: one require fixes every use, one error. */
  const reportedMissing = new Set<string>();
  const missingRequire = (extension: string, what: string, span: Span): boolean => {
    if (extension === '' || required.has(extension)) return false;
    if (reportedMissing.has(extension)) return true;
    reportedMissing.add(extension);
    diags.error(
      'require.missing',
      `${what} requires the "${extension}" extension: add require "${extension}"`,
      span,
    );
    return true;
  };

  const isKnownExtension = (extension: string): boolean => extension === '' || enabled.has(extension);

  function validateArguments(
    node: CommandNode | TestNode,
    spec: CommandSpec | TestSpec,
    kindName: string,
    /** The arguments were read into a test written after them (a tag without its colon). */
    argumentsMisplaced = false,
  ): Omit<ValidatedArguments, 'node'> & { ok: boolean } {
    const what = `the ${spec.name} ${kindName}`;
    const tags = new Map<string, TagUse>();
    const groups = new Map<string, TagUse>();
    const positional: Argument[] = [];
    const out = {
      tags,
      groups,
      positional,
      comparator: undefined as ValidatedArguments['comparator'],
      matchType: undefined as ValidatedArguments['matchType'],
      addressPart: undefined as ValidatedArguments['addressPart'],
      ok: true,
    };
    const args = node.args;
    let unknownTag = false;
    let badTagValue = false;
    let tagAfterPositional = false;
    for (let k = 0; k < args.length; k++) {
      const a = args[k]!;
      if (a.kind !== 'tag') {
        positional.push(a);
        continue;
      }
      if (positional.length > 0) {
        // RFC 5228 §2.6.2: tagged arguments come before the positional ones.
        diags.error(
          'argument.tag-after-positional',
          `unexpected tagged argument ":${a.name}" after the positional arguments of ${what}`,
          a.span,
        );
        out.ok = false;
        // Written where a positional argument belongs: too few of them is the same mistake.
        tagAfterPositional = true;
        continue;
      }
      const found = findTag(spec, a.name);
      if (!found) {
        const key = `${spec.name}:${a.name}`;
        if (!reportedUnknown.has(key)) {
          reportedUnknown.add(key);
          diags.error('argument.unknown-tag', `unknown tagged argument ":${a.name}" for ${what}`, a.span);
        }
        out.ok = false;
        // The tag may take a value we cannot know: the positional count is not checked then.
        unknownTag = true;
        continue;
      }
      if (!isKnownExtension(found.extension)) {
        diags.error('argument.unknown-tag', `unknown tagged argument ":${a.name}" for ${what}`, a.span);
        out.ok = false;
        continue;
      }
      if (missingRequire(found.extension, `the :${a.name} argument`, a.span)) out.ok = false;
      let value: Argument | undefined;
      if (found.spec.value) {
        const next = args[k + 1];
        if (!next || next.kind === 'tag' || !accepts(found.spec.value.type, next)) {
          diags.error(
            'argument.tag-value',
            `the :${a.name} argument of ${what} must be followed by a ${typeName[found.spec.value.type]} (${found.spec.value.name})${next ? `, found ${argumentKindName(next)}` : ''}`,
            next?.span ?? a.span,
          );
          out.ok = false;
          // An unknown tag in the value's place is the same mistake, reported once (here, where
          // the message names it); a known tag is read as that tag.
          if (next && (next.kind !== 'tag' || !isUsableTag(spec, next.name))) k++;
          // The argument taken as the value (or missing) may have been meant as a positional one:
          // too few positional arguments are then a consequence, not a second error.
          badTagValue = true;
          continue;
        }
        value = next;
        k++;
      }
      const use: TagUse = { spec: found.spec, extension: found.extension, tag: a, value };
      const group = found.spec.group;
      if (group) {
        const prev = groups.get(group);
        if (prev) {
          diags.error(
            'argument.duplicate-group',
            prev.spec.name === found.spec.name
              ? `the :${a.name} argument is given twice for ${what}`
              : `only one ${group} may be given for ${what} (found :${prev.spec.name} and :${a.name})`,
            a.span,
          );
          out.ok = false;
          continue;
        }
        groups.set(group, use);
      } else if (tags.has(found.spec.name)) {
        diags.error('argument.duplicate-tag', `the :${a.name} argument is given twice for ${what}`, a.span);
        out.ok = false;
        continue;
      }
      tags.set(found.spec.name, use);
    }

    // Positional arguments: count and types.
    const want = spec.positional;
    const least = want.filter((p) => !p.optional).length;
    const countWrong = positional.length < least || positional.length > want.length;
    if (
      countWrong &&
      !unknownTag &&
      !argumentsMisplaced &&
      !((badTagValue || tagAfterPositional) && positional.length < least)
    ) {
      const names = want.map((p) => p.name).join(', ');
      const count = least === want.length ? `${want.length}` : `${least} to ${want.length}`;
      diags.error(
        'argument.count',
        `${what} takes ${count} positional argument${want.length === 1 ? '' : 's'}${want.length ? ` (${names})` : ''} but ${positional.length} ${positional.length === 1 ? 'was' : 'were'} given`,
        positional[want.length]?.span ?? node.nameSpan,
      );
      out.ok = false;
    }
    // With the wrong number of positional arguments, which one is which is not known: their
    // types are checked once the count is right.
    for (let k = 0; k < (countWrong ? 0 : positional.length); k++) {
      const p = want[k]!;
      const a = positional[k]!;
      if (!accepts(p.type, a)) {
        diags.error(
          'argument.type',
          `the ${p.name} argument of ${what} must be a ${typeName[p.type]}, found ${argumentKindName(a)}`,
          a.span,
        );
        out.ok = false;
      }
    }

    // Comparator, match type and address part resolved from their groups.
    const accepted = new Set(spec.groups ?? []);
    if (accepted.has('comparator')) {
      const use = groups.get('comparator');
      let name = 'i;ascii-casemap';
      if (use?.value?.kind === 'string') name = ctx.value(use.value);
      const reg = registry.comparators.get(name);
      if (!reg || !isKnownExtension(reg.extension)) {
        diags.error('comparator.unknown', `unknown comparator "${name}"`, use?.value?.span ?? node.nameSpan);
        out.ok = false;
      } else if (use && missingRequire(reg.extension, `the comparator "${name}"`, use.value!.span)) {
        out.ok = false;
      } else {
        out.comparator = reg.spec;
      }
    }
    if (accepted.has('match-type')) {
      const use = groups.get('match-type');
      const reg = registry.matchTypes.get(use?.spec.name ?? 'is');
      out.matchType = reg?.spec;
      if (reg?.spec.validate && use) reg.spec.validate(ctx, use, { ...out, node });
      const cmp = out.comparator;
      if (reg && cmp) {
        if (reg.spec.needsSubstring && !cmp.fold) {
          diags.error(
            'comparator.unsupported-match',
            `the comparator "${cmp.name}" does not support the :${reg.spec.name} match type`,
            use?.tag.span ?? node.nameSpan,
          );
          out.ok = false;
        }
        if (reg.spec.needsOrdering && !cmp.compare) {
          diags.error(
            'comparator.unsupported-match',
            `the comparator "${cmp.name}" does not support ordering, which :${reg.spec.name} needs`,
            use?.tag.span ?? node.nameSpan,
          );
          out.ok = false;
        }
      }
    }
    if (accepted.has('address-part')) {
      out.addressPart = registry.addressParts.get(groups.get('address-part')?.spec.name ?? 'all')?.spec;
    }
    return out;
  }

  /** Whether a tag is one this command or test takes, from an extension the engine has. */
  function isUsableTag(spec: CommandSpec | TestSpec, name: string): boolean {
    const found = findTag(spec, name);
    return found !== undefined && isKnownExtension(found.extension);
  }

  /** Whether a name is a test of an extension the engine has (required or not). */
  function isKnownTest(name: string): boolean {
    const reg = registry.test(name, required);
    return reg !== undefined && isKnownExtension(reg.extension);
  }

  function findTag(spec: CommandSpec | TestSpec, name: string): Registration<TagSpec> | undefined {
    const own = spec.tags?.find((t) => t.name === name);
    if (own) {
      return { extension: registry.extensionOf(spec), spec: own };
    }
    const extra = registry.extraTags.get(spec.name)?.find((t) => t.spec.name === name);
    if (extra) return extra;
    const groups = spec.groups ?? [];
    if (groups.includes('comparator') && name === 'comparator') {
      return {
        extension: '',
        spec: { name: 'comparator', group: 'comparator', value: { name: 'comparator name', type: 'string' } },
      };
    }
    if (groups.includes('match-type')) {
      const m = registry.matchTypes.get(name);
      if (m) {
        const tag: TagSpec = m.spec.value
          ? { name, group: 'match-type', value: m.spec.value }
          : { name, group: 'match-type' };
        return { extension: m.extension, spec: tag };
      }
    }
    if (groups.includes('address-part')) {
      const p = registry.addressParts.get(name);
      if (p) return { extension: p.extension, spec: { name, group: 'address-part' } };
    }
    return undefined;
  }

  function validateTest(node: TestNode): ValidatedTest | null {
    const reg = registry.test(node.name, required);
    if (!reg || !isKnownExtension(reg.extension)) {
      if (registry.commands.has(node.name)) {
        diags.error('test.is-command', `"${node.name}" is a command, not a test`, node.nameSpan);
      } else {
        diags.error('test.unknown', `unknown test "${node.name}"`, node.nameSpan);
      }
      for (const t of node.tests) validateTest(t);
      return null;
    }
    const spec = reg.spec;
    let ok = !missingRequire(reg.extension, `the ${spec.name} test`, node.nameSpan);
    // A word after the arguments of a test that takes none is read as a test; when it names one
    // of this test's tags, the colon was left out and the words after it are this test's own
    // arguments (`address matches "from" "*x*"`).
    const stray = spec.tests === 'none' && !node.testList ? node.tests[0] : undefined;
    const missingColon = stray !== undefined && !isKnownTest(stray.name) && isUsableTag(spec, stray.name);
    const args = validateArguments(node, spec, 'test', missingColon);
    ok &&= args.ok;
    const tests: ValidatedTest[] = [];
    if (spec.tests === 'none' && node.tests.length > 0) {
      const first = node.tests[0]!;
      if (missingColon) {
        diags.error(
          'argument.missing-colon',
          `"${first.name}" is not a test: write ":${first.name}" for the tag of the ${spec.name} test`,
          first.nameSpan,
        );
      } else if (stray && !isKnownTest(stray.name)) {
        diags.error(
          'test.unexpected-tests',
          `unexpected "${stray.name}" after the arguments of the ${spec.name} test (is it a string without its quotes?)`,
          stray.nameSpan,
        );
      } else {
        diags.error('test.unexpected-tests', `the ${spec.name} test takes no tests`, first.span);
      }
      // What follows is not this test's: it is not validated as tests.
      return null;
    } else if (spec.tests === 'one' && (node.tests.length !== 1 || node.testList)) {
      diags.error(
        'test.expects-one-test',
        node.testList
          ? `the ${spec.name} test takes one test, not a test list`
          : `the ${spec.name} test needs a test after its arguments`,
        node.tests[0]?.span ?? node.nameSpan,
      );
      ok = false;
    } else if (spec.tests === 'list' && !node.testList) {
      diags.error(
        'test.expects-test-list',
        `the ${spec.name} test takes a parenthesised test list`,
        node.tests[0]?.span ?? node.nameSpan,
      );
      ok = false;
    }
    for (const t of node.tests) {
      const v = validateTest(t);
      if (v) tests.push(v);
      else ok = false;
    }
    // Fields listed, not spread: object rest/spread goes through a slow generic copy in V8.
    const validated: ValidatedTest = {
      tags: args.tags,
      groups: args.groups,
      positional: args.positional,
      comparator: args.comparator,
      matchType: args.matchType,
      addressPart: args.addressPart,
      node,
      spec,
      tests,
    };
    const before = diags.errors;
    if (ok) spec.validate?.(ctx, validated);
    return ok && diags.errors === before ? validated : null;
  }

  function validateCommand(
    node: CommandNode,
    previous: ValidatedCommand | null,
    previousName: string | null,
    leadingAllowed: boolean,
  ): ValidatedCommand | null {
    const reg = registry.command(node.name, required);
    if (!reg || !isKnownExtension(reg.extension)) {
      if (registry.tests.has(node.name)) {
        // Each use is a mistake of its own.
        diags.error('command.is-test', `"${node.name}" is a test, not a command`, node.nameSpan);
      } else if (!reportedUnknown.has(`command:${node.name}`)) {
        // An unknown command once: it is one missing extension, or one misspelling.
        reportedUnknown.add(`command:${node.name}`);
        diags.error('command.unknown', `unknown command "${node.name}"`, node.nameSpan);
      }
      for (const t of node.tests) validateTest(t);
      if (node.block) validateBlock(node.block);
      return null;
    }
    const spec = reg.spec;
    let ok = !missingRequire(reg.extension, `the ${spec.name} command`, node.nameSpan);
    if (spec.leading && !leadingAllowed) {
      diags.error(
        'require.not-first',
        `${spec.name} must come before every other command (RFC 5228 §3.2)`,
        node.nameSpan,
      );
      ok = false;
    }
    if (spec.continues && (previousName === null || !spec.continues.includes(previousName))) {
      diags.error(
        'command.misplaced',
        `${spec.name} must follow ${spec.continues.map((n) => `"${n}"`).join(' or ')}`,
        node.nameSpan,
      );
      ok = false;
    }
    const args = validateArguments(node, spec, 'command');
    ok &&= args.ok;
    const tests: ValidatedTest[] = [];
    const stray = spec.tests === 'none' && !node.testList ? node.tests[0] : undefined;
    if (stray && !isKnownTest(stray.name)) {
      // The next command (or a word that is no test) where ";" or the block belongs: one
      // mistake, from the end of this command's arguments to the word read as its test.
      const last = node.args[node.args.length - 1];
      const span: Span = { start: last ? last.span.end : node.nameSpan.end, end: stray.nameSpan.end };
      const joined = spec.joined?.[stray.name];
      if (spec.block === 'required') {
        diags.error(
          'command.expects-block',
          `expected a block after the ${spec.name} command, found "${stray.name}"${joined ? `: write "${joined}" instead of "${spec.name} ${stray.name}"` : ''}`,
          span,
        );
      } else {
        diags.error(
          'command.missing-semicolon',
          `missing ";" after the ${spec.name} command (before "${stray.name}")`,
          span,
        );
      }
      ok = false;
    } else if (spec.tests === 'none' && node.tests.length > 0) {
      diags.error('command.unexpected-test', `the ${spec.name} command takes no test`, node.tests[0]!.span);
      ok = false;
    } else if (spec.tests === 'one' && (node.tests.length !== 1 || node.testList)) {
      diags.error(
        'command.expects-one-test',
        node.testList
          ? `the ${spec.name} command takes one test, not a test list (use anyof or allof)`
          : `the ${spec.name} command needs a test`,
        node.tests[0]?.span ?? node.nameSpan,
      );
      ok = false;
    }
    // Tests where none is taken are not this command's: they are not validated.
    for (const t of spec.tests === 'none' ? [] : node.tests) {
      const v = validateTest(t);
      if (v) tests.push(v);
      else ok = false;
    }
    let block: ValidatedCommand[] | null = null;
    if (spec.block === 'required' && node.block === null) {
      diags.error('command.expects-block', `the ${spec.name} command needs a block`, node.span);
      ok = false;
    } else if (spec.block === 'none' && node.block !== null) {
      diags.error('command.unexpected-block', `the ${spec.name} command takes no block`, node.span);
      ok = false;
    }
    if (node.block) {
      enclosing.push(node);
      const b = validateGuardedBlock(node, node.block);
      enclosing.pop();
      if (b) block = b;
      else ok = false;
    }
    const validated: ValidatedCommand = {
      tags: args.tags,
      groups: args.groups,
      positional: args.positional,
      comparator: args.comparator,
      matchType: args.matchType,
      addressPart: args.addressPart,
      node,
      spec,
      tests,
      block,
      chain: [],
    };
    const before = diags.errors;
    if (ok) spec.validate?.(ctx, validated);
    if (!ok || diags.errors !== before) return null;
    if (spec.continues && previous) previous.chain.push(validated);
    return validated;
  }

  /**
   * A command's block, with the capabilities its test makes available (RFC 5463 §4, see
   * CapabilityTestSpec): required while the block is validated, or the block skipped (as
   * empty: its test is false at run time) when the engine lacks one of them.
   */
  function validateGuardedBlock(node: CommandNode, nodes: readonly CommandNode[]): ValidatedCommand[] | null {
    const test = node.tests.length === 1 ? node.tests[0]! : null;
    const reg = test ? registry.test(test.name, required) : undefined;
    if (!test || !reg || !required.has(reg.extension) || !isCapabilityTest(reg.spec)) {
      return validateBlock(nodes);
    }
    const spec = reg.spec;
    const caps = spec.testedCapabilities(ctx, test);
    if (!caps.every((c) => ctx.supports(c) && (spec.mayEnable?.(c) ?? true))) return [];
    const added = caps.flatMap((c) => requireCapability(c, test.span));
    try {
      return validateBlock(nodes);
    } finally {
      for (const name of added) required.delete(name);
    }
  }

  /** Returns the block's commands with continuation commands attached to their chain head. */
  function validateBlock(nodes: readonly CommandNode[], leadingCount = 0): ValidatedCommand[] | null {
    const out: ValidatedCommand[] = [];
    let ok = true;
    let head: ValidatedCommand | null = null;
    let previousName: string | null = null;
    for (let k = 0; k < nodes.length; k++) {
      const n = nodes[k]!;
      const v = validateCommand(n, head, previousName, k < leadingCount);
      previousName = n.name;
      if (!v) {
        ok = false;
        head = null;
        continue;
      }
      if (v.spec.continues) continue; // attached to head.chain
      out.push(v);
      head = v;
    }
    return ok ? out : null;
  }

  const top = validateBlock(commands, i);
  return { commands: top ?? [], required, strings };
}
