// compile(): source → tokens → syntax tree → validated tree → closures.
// run(): a compiled program against one message → the result's actions.
import type { Argument, StringArgument } from './ast.js';
import { DiagnosticBag, type Diagnostic } from './diagnostics.js';
import { resolveLimits, type Limits } from './limits.js';
import type { SieveMessage } from './message/types.js';
import { parse } from './parser.js';
import type { SieveHost } from './host.js';
import {
  Registry,
  type ExtensionDefinition,
  type StringInterpolation,
  type ValidatedArguments,
  type ValidatedCommand,
  type ValidatedTest,
} from './registry.js';
import {
  ExecutionContext,
  Result,
  SieveRuntimeError,
  type ActionJson,
  type CompileContext,
  type CompiledScript,
  type Envelope,
  type Exec,
  type Matcher,
  type StringValue,
  type TestFn,
  type TraceEvent,
} from './runtime.js';
import { validate, type ValidatedScript } from './validator.js';

export interface EngineOptions {
  /** The extensions the engine knows (default: every extension sievert ships). */
  readonly extensions?: readonly ExtensionDefinition[];
  /** Capabilities scripts may require (default: all of the known extensions', advertised or not). */
  readonly enabled?: readonly string[];
  readonly limits?: Partial<Limits>;
  /** Number of compiled programs cached by content (default 256; 0 disables the cache). */
  readonly cacheSize?: number;
}

export interface Program {
  /** A hash of the source text (the cache key). */
  readonly hash: string;
  /** The capabilities the script requires. */
  readonly required: ReadonlySet<string>;
  /** Whether the script reads the message body: callers must then pass the whole message. */
  readonly needsBody: boolean;
  readonly warnings: readonly Diagnostic[];
  /** @internal */
  readonly exec: Exec;
  /** @internal */
  readonly limits: Limits;
  /** @internal Compiles scripts this one includes (RFC 6609) with the same engine. */
  readonly compileScript: (source: string) => CompiledScript;
}

export interface CompileResult {
  /** Null when the script has errors. */
  readonly program: Program | null;
  /** Errors and warnings, sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface RunInput {
  readonly message: SieveMessage;
  readonly envelope: Envelope;
  readonly host?: SieveHost;
  readonly trace?: (e: TraceEvent) => void;
}

export interface RuntimeErrorInfo {
  readonly kind: 'runtime';
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export interface RunResult {
  /** The actions to perform, in execution order, with the implicit keep applied. */
  readonly actions: ActionJson[];
  /** Set when the run failed: the actions are then only the implicit keep (RFC 5228 §2.10.6). */
  readonly error: RuntimeErrorInfo | null;
  /** Whether the keep in `actions` (if any) is the implicit keep. */
  readonly implicitKeep: boolean;
  /**
   * Whether the script ran the `keep` command. A host running several scripts in sequence
   * (global before/after scripts) goes on to the next one after an implicit keep or a `keep`
   * command, and stops after anything else, `fileinto "INBOX"` included: Pigeonhole's rule for
   * `sieve_before` / `sieve_after`.
   */
  readonly keepCommand: boolean;
}

/** cyrb53: a fast 53-bit string hash, enough for a cache key. */
export function hashSource(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export class Engine {
  readonly registry: Registry;
  readonly limits: Limits;
  private readonly enabled: ReadonlySet<string>;
  private readonly cache = new Map<string, CompileResult>();
  private readonly cacheSize: number;

  constructor(options: EngineOptions & { extensions: readonly ExtensionDefinition[] }) {
    this.registry = new Registry(options.extensions);
    this.limits = resolveLimits(options.limits);
    this.enabled = new Set(options.enabled ?? this.registry.allCapabilities());
    this.cacheSize = options.cacheSize ?? 256;
  }

  /**
   * The capabilities scripts may require, sorted (ManageSieve's SIEVE capability, `sievert
   * --capabilities`). comparator-i;octet and comparator-i;ascii-casemap are listed although every
   * script has them: RFC 5804 §1.7 defines the SIEVE capability as the extensions "as listed in
   * the Sieve require", and RFC 5228 §2.7.3 lets a script require those two; a client that checks
   * a script's require against the list must find them. (Pigeonhole leaves them out.) Extensions
   * declared with `advertised: false` (deprecated and vendor ones) are accepted but not listed.
   */
  capabilities(): string[] {
    return this.registry.capabilities().filter((c) => this.enabled.has(c));
  }

  compile(source: string): CompileResult {
    const cached = this.cache.get(source);
    if (cached) {
      // Refresh its place in the LRU order.
      this.cache.delete(source);
      this.cache.set(source, cached);
      return cached;
    }
    const result = this.compileUncached(source);
    if (this.cacheSize > 0) {
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(source, result);
    }
    return result;
  }

  /**
   * The diagnostics `compile(source)` would report, without building the program or caching it:
   * for hosts that only store a script (ManageSieve PUTSCRIPT, CHECKSCRIPT), where building
   * closures and keeping the program alive cost more than checking.
   */
  check(source: string): readonly Diagnostic[] {
    const cached = this.cache.get(source);
    if (cached) return cached.diagnostics;
    return this.analyse(source).diags.sorted();
  }

  /** Parse and validate; `validated` is null when the script is too large to parse. */
  private analyse(source: string): { diags: DiagnosticBag; validated: ValidatedScript | null } {
    const limits = this.limits;
    const diags = new DiagnosticBag(limits.maxErrors);
    const size = utf8Length(source);
    if (size > limits.maxScriptSize) {
      const at = { line: 1, column: 1, offset: 0 };
      diags.error(
        'limit.script-size',
        `script is too large (${size} octets; the limit is ${limits.maxScriptSize})`,
        { start: at, end: at },
      );
      return { diags, validated: null };
    }
    const { script } = parse(source, { maxNesting: limits.maxNesting }, diags);
    return { diags, validated: validate(script, this.registry, this.enabled, limits, diags) };
  }

  private compileUncached(source: string): CompileResult {
    const limits = this.limits;
    const { diags, validated } = this.analyse(source);
    if (!validated || diags.hasErrors) return { program: null, diagnostics: diags.sorted() };
    const interpolations = this.registry.interpolations
      .filter((i) => validated.required.has(i.extension))
      .map((i) => i.spec);
    const exec = new Compiler(validated, limits, interpolations).compileScript();
    const program: Program = {
      hash: hashSource(source),
      required: validated.required,
      needsBody: [...validated.required].some((c) => this.registry.extensions.get(c)?.needsBody === true),
      warnings: diags.sorted(),
      exec,
      limits,
      compileScript: this.compileScript,
    };
    return { program, diagnostics: diags.sorted() };
  }

  run(program: Program, input: RunInput): RunResult {
    return runProgram(program, input);
  }

  private readonly compileScript = (source: string): CompiledScript => {
    const r = this.compile(source);
    if (r.program) return { exec: r.program.exec };
    return {
      exec: null,
      errors: r.diagnostics.filter((d) => d.severity === 'error').map((d) => `line ${d.line}: ${d.message}`),
    };
  };
}

/**
 * The context one run of `program` executes in, collecting into `result`. The one place a run is
 * set up (runProgram, and hosts that run scripts into a result of their own: the test suite).
 */
export function executionContext(
  program: Program,
  input: RunInput,
  result = new Result(program.limits),
): ExecutionContext {
  const ctx = new ExecutionContext(
    input.message,
    input.envelope,
    result,
    program.limits,
    input.host ?? {},
    input.trace,
  );
  // include compiles with the engine that compiled the script.
  ctx.compileScript = program.compileScript;
  return ctx;
}

export function runProgram(program: Program, input: RunInput): RunResult {
  const ctx = executionContext(program, input);
  const result = ctx.result;
  try {
    program.exec(ctx);
  } catch (e) {
    // RFC 5228 §2.10.6: a run-time error ends the run; the implicit keep is performed.
    const error: RuntimeErrorInfo =
      e instanceof SieveRuntimeError
        ? { kind: 'runtime', message: e.message, line: e.span?.start.line, column: e.span?.start.column }
        : { kind: 'runtime', message: `internal error: ${e instanceof Error ? e.message : String(e)}` };
    return { actions: [{ type: 'keep', flags: [] }], error, implicitKeep: true, keepCommand: false };
  }
  return {
    actions: finish(result),
    error: null,
    implicitKeep: result.implicitKeep,
    keepCommand: result.keepCommand,
  };
}

/** Applies the implicit keep and reports discard only when the message ends up nowhere. */
function finish(result: Result): ActionJson[] {
  const out: ActionJson[] = [];
  let delivered = false;
  let discardAt = -1;
  for (const a of result.actions) {
    if (a.json.type === 'discard') {
      if (discardAt < 0) discardAt = out.length;
      continue;
    }
    if (a.delivers) delivered = true;
    out.push(a.json);
  }
  if (result.implicitKeep) {
    const flags = result.implicitKeepFlags();
    const keep = out.find((a) => a.type === 'keep');
    if (keep) {
      for (const f of flags) if (!keep.flags.includes(f)) keep.flags.push(f);
    } else out.push({ type: 'keep', flags });
    delivered = true;
  }
  if (!delivered) out.splice(discardAt < 0 ? out.length : discardAt, 0, { type: 'discard' });
  return out;
}

class Compiler implements CompileContext {
  constructor(
    private readonly script: ValidatedScript,
    readonly limits: Limits,
    private readonly interpolations: readonly StringInterpolation[],
  ) {}

  compileScript(): Exec {
    return this.block(this.script.commands);
  }

  requires(capability: string): boolean {
    return this.script.required.has(capability);
  }

  string(arg: Argument): StringValue {
    if (arg.kind !== 'string') throw new Error(`compiler: expected a string, got ${arg.kind}`);
    const value = this.script.strings.get(arg) ?? arg.value;
    for (const i of this.interpolations) if (i.isDynamic(value)) return i.compile(value, arg.span, this);
    return { constant: true, value };
  }

  stringList(arg: Argument): StringValue[] {
    if (arg.kind === 'string') return [this.string(arg)];
    if (arg.kind === 'string-list') return arg.items.map((i: StringArgument) => this.string(i));
    throw new Error(`compiler: expected a string list, got ${arg.kind}`);
  }

  test(t: ValidatedTest): TestFn {
    let fn = t.spec.compile(this, t);
    for (const use of t.tags.values()) if (use.spec.wrapTest) fn = use.spec.wrapTest(this, t, fn);
    const span = t.node.span;
    const line = span.start.line;
    const name = t.spec.name;
    return (ctx) => {
      ctx.step(span);
      if (!ctx.trace) return fn(ctx);
      const r = fn(ctx);
      ctx.trace({ line, kind: 'test', text: `${name} test: ${r ? 'true' : 'false'}` });
      return r;
    };
  }

  block(cmds: readonly ValidatedCommand[]): Exec {
    const execs = cmds.map((c) => this.command(c));
    if (execs.length === 0) return () => false;
    if (execs.length === 1) return execs[0]!;
    return (ctx) => {
      for (let i = 0; i < execs.length; i++) if (execs[i]!(ctx)) return true;
      return false;
    };
  }

  private command(c: ValidatedCommand): Exec {
    const fn = c.spec.compile(this, c);
    const span = c.node.nameSpan;
    const line = span.start.line;
    const name = c.spec.name;
    return (ctx) => {
      ctx.step(span);
      if (ctx.trace) ctx.trace({ line, kind: 'command', text: `${name} command` });
      return fn(ctx);
    };
  }

  matcher(args: ValidatedArguments, keys: Argument | StringValue[]): Matcher {
    const cmp = args.comparator;
    const mt = args.matchType;
    if (!cmp || !mt) throw new Error('compiler: matcher for a test without comparator or match type');
    const use = args.groups.get('match-type') ?? {
      spec: { name: mt.name },
      extension: '',
      tag: { kind: 'tag', name: mt.name, span: args.node.span },
      value: undefined,
    };
    const inner = mt.compile(this, cmp, Array.isArray(keys) ? keys : this.stringList(keys), use);
    const line = args.node.span.start.line;
    const label = `:${mt.name} match with "${cmp.name}"`;
    return {
      match(ctx, values) {
        if (!ctx.trace) return inner.match(ctx, values);
        const r = inner.match(ctx, values);
        ctx.trace({
          line,
          kind: 'match',
          text: `${label}: values ${JSON.stringify(values)} → ${r ? 'matched' : 'not matched'}`,
        });
        return r;
      },
    };
  }
}
