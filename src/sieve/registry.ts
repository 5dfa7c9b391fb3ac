// The extension registry: every command, test, tagged argument, comparator, match type and
// address part is declared by an extension (the base language included). The validator and
// compiler are driven by these specifications; the core names no extension.
import type { Argument, CommandNode, TagArgument, TestNode } from './ast.js';
import type { Span } from './diagnostics.js';
import type { Comparator } from './comparators/types.js';
import type { CompileContext, Exec, ExecutionContext, TestFn, Matcher, StringValue } from './runtime.js';
import type { MailAddress } from './message/types.js';
import type { ValidationContext } from './validator.js';

export type ArgType = 'string' | 'string-list' | 'number';

export interface PositionalSpec {
  readonly name: string;
  readonly type: ArgType;
  /** May be left out; only trailing arguments can be optional (deleteheader's value patterns). */
  readonly optional?: boolean;
}

export interface TagSpec {
  /** Lower-case name without the colon. */
  readonly name: string;
  /** The argument that must follow the tag, if any. */
  readonly value?: { readonly name: string; readonly type: ArgType };
  /** Tags in one group exclude each other (e.g. "match-type"). */
  readonly group?: string;
  /**
   * What the extension that owns the command needs to know about a tag another extension adds
   * (e.g. a `set` modifier's precedence and function). Opaque to the core.
   */
  readonly data?: unknown;
  /**
   * For tags that change what a test reads (RFC 5703 `:mime` on header/address/exists): wraps
   * the test's compiled function. Applied by the compiler after the test's own compile.
   */
  wrapTest?(cc: CompileContext, test: ValidatedTest, compiled: TestFn): TestFn;
}

/**
 * Tag data for a tag that adds a field to the action of the command it is put on (RFC 8580's
 * :fcc on vacation and notify). The command's own extension calls `validate` from its validate
 * hook and puts what `compile` returns, evaluated at run time, under `field` in its action's JSON
 * (typed through ActionOptionFields). Several tags may fill the same field (:fcc and its
 * companions :flags, :create, :specialuse): the first of them is applied, once.
 */
export interface ActionOption {
  readonly field: string;
  validate(v: ValidationContext, cmd: ValidatedCommand): void;
  compile(cc: CompileContext, cmd: ValidatedCommand): ((ctx: ExecutionContext) => unknown) | null;
}

function isActionOption(data: unknown): data is ActionOption {
  return typeof data === 'object' && data !== null && 'field' in data && 'compile' in data;
}

/** The action options the tags given to a command carry, one per field. */
export function actionOptions(cmd: ValidatedArguments): ActionOption[] {
  const out = new Map<string, ActionOption>();
  for (const use of cmd.tags.values()) {
    const data = use.spec.data;
    if (isActionOption(data) && !out.has(data.field)) out.set(data.field, data);
  }
  return [...out.values()];
}

/**
 * Compiles a command's action options; the function returned gives the extra fields of its
 * action's JSON at run time (none when the command has no such tag).
 */
export function compileActionOptions(
  cc: CompileContext,
  cmd: ValidatedCommand,
): (ctx: ExecutionContext) => Record<string, unknown> {
  const fields = actionOptions(cmd).flatMap((o) => {
    const f = o.compile(cc, cmd);
    return f ? [[o.field, f] as const] : [];
  });
  if (fields.length === 0) return () => ({});
  return (ctx) => Object.fromEntries(fields.map(([name, f]) => [name, f(ctx)]));
}

/** A tag as written in the script, after validation. */
export interface TagUse {
  readonly spec: TagSpec;
  readonly extension: string;
  readonly tag: TagArgument;
  readonly value: Argument | undefined;
}

/** The arguments of a command or test, sorted out by the validator. */
export interface ValidatedArguments {
  readonly node: CommandNode | TestNode;
  readonly tags: ReadonlyMap<string, TagUse>;
  /** The tag chosen in each group, by group name. */
  readonly groups: ReadonlyMap<string, TagUse>;
  readonly positional: readonly Argument[];
  /** Resolved by the validator when the spec accepts the "comparator" group. */
  comparator: Comparator | undefined;
  matchType: MatchTypeSpec | undefined;
  addressPart: AddressPartSpec | undefined;
}

export interface ValidatedTest extends ValidatedArguments {
  readonly spec: TestSpec;
  readonly node: TestNode;
  readonly tests: readonly ValidatedTest[];
}

export interface ValidatedCommand extends ValidatedArguments {
  readonly spec: CommandSpec;
  readonly node: CommandNode;
  readonly tests: readonly ValidatedTest[];
  readonly block: readonly ValidatedCommand[] | null;
  /** Commands that continue this one (elsif/else after if), in order. */
  readonly chain: ValidatedCommand[];
}

interface SpecBase {
  readonly name: string;
  readonly positional: readonly PositionalSpec[];
  readonly tags?: readonly TagSpec[];
  /** Tag groups whose members this command or test accepts: "comparator", "match-type", "address-part". */
  readonly groups?: readonly string[];
}

export interface CommandSpec extends SpecBase {
  readonly block: 'none' | 'required';
  readonly tests: 'none' | 'one';
  /** This command continues a chain started by one of these commands (e.g. elsif after if). */
  readonly continues?: readonly string[];
  /** True for commands that may only appear before every other command (require). */
  readonly leading?: boolean;
  /**
   * Words that, written right after this command where its block belongs, are another command
   * run together with it: `else if` is elsif. The error then names that command.
   */
  readonly joined?: Readonly<Record<string, string>>;
  validate?(v: ValidationContext, cmd: ValidatedCommand): void;
  compile(cc: CompileContext, cmd: ValidatedCommand): Exec;
}

export interface TestSpec extends SpecBase {
  readonly tests: 'none' | 'one' | 'list';
  validate?(v: ValidationContext, test: ValidatedTest): void;
  compile(cc: CompileContext, test: ValidatedTest): TestFn;
}

export interface MatchTypeSpec {
  /** Tag name without colon: "is", "contains", "matches". */
  readonly name: string;
  readonly value?: { readonly name: string; readonly type: ArgType };
  /** Whether the comparator must support substring operations (RFC 4790 §4.2.2). */
  readonly needsSubstring?: boolean;
  /** Whether the comparator must support ordering. */
  readonly needsOrdering?: boolean;
  validate?(v: ValidationContext, use: TagUse, args: ValidatedArguments): void;
  compile(cc: CompileContext, comparator: Comparator, keys: StringValue[], use: TagUse): Matcher;
}

export interface AddressPartSpec {
  readonly name: string;
  /** The part of the address to compare, or null when this address has no such part. */
  extract(address: MailAddress, ctx: ExecutionContext): string | null;
}

export interface Registration<T> {
  readonly extension: string;
  readonly spec: T;
}

/** What one extension declares. */
export interface ExtensionDefinition {
  /** The capability string used in `require`; "" for the base language (always present). */
  readonly name: string;
  /** Other capabilities this extension declares under the same code (e.g. vacation-seconds). */
  readonly aliases?: readonly string[];
  /**
   * True when scripts that require it read the message body (body, MIME tests): callers that
   * would read only the header block then read the whole message (see Program.needsBody).
   */
  readonly needsBody?: boolean;
  /**
   * False for extensions a script may require but that the capability list leaves out
   * (ManageSieve's SIEVE capability, `sievert --capabilities`): deprecated and vendor extensions
   * kept so that old scripts still run, while clients choose the standard ones. Default true.
   */
  readonly advertised?: boolean;
  /**
   * Capabilities a script cannot require together with this one (a deprecated extension and the
   * standard one that replaced it: imapflags and imap4flags). Either side may name the other.
   */
  readonly conflicts?: readonly string[];
  setup(r: RegistryBuilder): void;
}

export interface StringTransform {
  /** Applied to every string literal of a script that requires the extension (encoded-character). */
  (value: string, span: Span, v: ValidationContext): string;
}

/**
 * Run-time substitution in string literals (variables, RFC 5229 §3), active in scripts that
 * require the extension that declares it.
 */
export interface StringInterpolation {
  /** Whether a literal's value (after transforms) has substitutions, so it is not a constant. */
  isDynamic(value: string): boolean;
  /** Reports errors in the substitutions (unknown namespaces) at compile time. */
  validate?(value: string, span: Span, v: ValidationContext): void;
  /** The run-time value of a literal for which isDynamic is true. */
  compile(value: string, span: Span, cc: CompileContext): StringValue;
}

export interface RegistryBuilder {
  command(spec: CommandSpec): void;
  test(spec: TestSpec): void;
  /** Adds tags to commands or tests declared by other extensions (":copy" on fileinto). */
  tag(targets: readonly string[], tag: TagSpec): void;
  comparator(c: Comparator): void;
  matchType(m: MatchTypeSpec): void;
  addressPart(a: AddressPartSpec): void;
  stringTransform(t: StringTransform): void;
  interpolation(i: StringInterpolation): void;
}

/**
 * The commands and tests an extension declares, by name, for an extension that offers some of
 * them under its own capability (a deprecated extension and the standard one that replaced it).
 */
export function declarations(def: ExtensionDefinition): {
  commands: ReadonlyMap<string, CommandSpec>;
  tests: ReadonlyMap<string, TestSpec>;
} {
  const commands = new Map<string, CommandSpec>();
  const tests = new Map<string, TestSpec>();
  const ignore = (): void => {};
  def.setup({
    command: (spec) => commands.set(spec.name, spec),
    test: (spec) => tests.set(spec.name, spec),
    tag: ignore,
    comparator: ignore,
    matchType: ignore,
    addressPart: ignore,
    stringTransform: ignore,
    interpolation: ignore,
  });
  return { commands, tests };
}

export class Registry {
  readonly extensions = new Map<string, ExtensionDefinition>();
  /**
   * Every declaration of each command and test name, in the order the extensions were added.
   * Several extensions may declare a name (a deprecated extension and its standard successor:
   * notify, duplicate); command() and test() find the one a script's requires choose.
   */
  readonly commands = new Map<string, Registration<CommandSpec>[]>();
  readonly tests = new Map<string, Registration<TestSpec>[]>();
  /** The extension that declared each command or test spec. */
  private readonly owners = new Map<CommandSpec | TestSpec, string>();
  /** Extra tags by command or test name. */
  readonly extraTags = new Map<string, Registration<TagSpec>[]>();
  readonly comparators = new Map<string, Registration<Comparator>>();
  readonly matchTypes = new Map<string, Registration<MatchTypeSpec>>();
  readonly addressParts = new Map<string, Registration<AddressPartSpec>>();
  readonly stringTransforms: Registration<StringTransform>[] = [];
  readonly interpolations: Registration<StringInterpolation>[] = [];

  constructor(definitions: readonly ExtensionDefinition[]) {
    for (const d of definitions) this.add(d);
  }

  private add(def: ExtensionDefinition): void {
    const extension = def.name;
    for (const n of [def.name, ...(def.aliases ?? [])]) this.extensions.set(n, def);
    const put = <T>(map: Map<string, Registration<T>>, key: string, spec: T): void => {
      if (map.has(key)) throw new Error(`extension ${extension}: "${key}" is already declared`);
      map.set(key, { extension, spec });
    };
    /** A command or test name: one declaration per extension, several extensions may share it. */
    const declare = <T extends CommandSpec | TestSpec>(
      all: Map<string, Registration<T>[]>,
      spec: T,
    ): void => {
      const list = all.get(spec.name) ?? [];
      if (list.some((r) => r.extension === extension)) {
        throw new Error(`extension ${extension}: "${spec.name}" is already declared`);
      }
      list.push({ extension, spec });
      all.set(spec.name, list);
      this.owners.set(spec, extension);
    };
    def.setup({
      command: (spec) => declare(this.commands, spec),
      test: (spec) => declare(this.tests, spec),
      tag: (targets, tag) => {
        for (const t of targets) {
          const list = this.extraTags.get(t) ?? [];
          list.push({ extension, spec: tag });
          this.extraTags.set(t, list);
        }
      },
      comparator: (c) => put(this.comparators, c.name, c),
      matchType: (m) => put(this.matchTypes, m.name, m),
      addressPart: (a) => put(this.addressParts, a.name, a),
      stringTransform: (t) => this.stringTransforms.push({ extension, spec: t }),
      interpolation: (i) => this.interpolations.push({ extension, spec: i }),
    });
  }

  /**
   * The command named `name` as a script with these requires sees it: the declaration of the
   * first extension (in the order they were added) that the script requires, else the first
   * declaration (whose missing require is then the error to report).
   */
  command(name: string, required: ReadonlySet<string>): Registration<CommandSpec> | undefined {
    return choose(this.commands.get(name), required);
  }

  /** The test named `name` as a script with these requires sees it (see command()). */
  test(name: string, required: ReadonlySet<string>): Registration<TestSpec> | undefined {
    return choose(this.tests.get(name), required);
  }

  /** The extension that declared a command or test spec ("" for the base language). */
  extensionOf(spec: CommandSpec | TestSpec): string {
    return this.owners.get(spec) ?? '';
  }

  /**
   * The capabilities that cannot be required together with `capability` (ExtensionDefinition
   * conflicts, read in both directions).
   */
  conflictsOf(capability: string): string[] {
    const def = this.extensions.get(capability);
    if (!def) return [];
    const out = new Set(def.conflicts ?? []);
    for (const [name, other] of this.extensions) {
      if (other.conflicts?.includes(def.name) || other.conflicts?.includes(capability)) out.add(name);
    }
    return [...out];
  }

  /** Every capability a script may `require`, advertised or not, sorted. */
  allCapabilities(): string[] {
    return [...this.extensions.keys()].filter((n) => n !== '').sort();
  }

  /** The capabilities to advertise, sorted (the SIEVE capability list): advertised: false left out. */
  capabilities(): string[] {
    return this.allCapabilities().filter((n) => this.extensions.get(n)?.advertised !== false);
  }
}

function choose<T>(
  declarations: readonly Registration<T>[] | undefined,
  required: ReadonlySet<string>,
): Registration<T> | undefined {
  return declarations?.find((r) => r.extension === '' || required.has(r.extension)) ?? declarations?.[0];
}
