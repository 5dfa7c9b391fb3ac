// The run-time half of the engine: the context a compiled program runs in, the result it
// builds, and the types compiled code is made of.
import type { Argument } from './ast.js';
import type { Span } from './diagnostics.js';
import type { ValidatedArguments, ValidatedCommand, ValidatedTest } from './registry.js';
import type { Limits } from './limits.js';
import type { SieveMessage } from './message/types.js';
import type { SieveHost } from './host.js';

/** The SMTP envelope (RFC 5228 §5.4) as the caller received it. */
export interface Envelope {
  /** The reverse path without angle brackets; "" (or null) for the null sender "<>". */
  readonly from: string | null;
  /** The forward path of the recipient this run is for. */
  readonly to: string;
  /** The recipient before any rewriting (RFC 3461 ORCPT), when known. */
  readonly originalTo?: string;
  /** The authenticated identity that submitted the message, when known. */
  readonly auth?: string;
}

/** A run-time error (RFC 5228 §2.10.6): the run ends and the implicit keep is performed. */
export class SieveRuntimeError extends Error {
  constructor(
    message: string,
    readonly span: Span | undefined,
  ) {
    super(message);
    this.name = 'SieveRuntimeError';
  }
}

/** One line of a trace (sievert test --trace). */
export interface TraceEvent {
  readonly line: number;
  readonly kind: 'command' | 'test' | 'match' | 'action' | 'info';
  readonly text: string;
}

/**
 * The JSON forms of actions by type (the schema of `sievert test --json`). Extensions add their
 * own actions by augmenting this interface:
 * `declare module '../../runtime.js' { interface ActionJsonTypes { vacation: { ... } } }`.
 */
export interface ActionJsonTypes {
  keep: { flags: string[] } & MessageState;
  fileinto: { mailbox: string; flags: string[]; copy: boolean; create: boolean } & MessageState;
  redirect: { address: string; copy: boolean } & MessageState;
  discard: Record<never, never>;
}

/**
 * Which message an action that stores or sends it carries when the script changed the message
 * (editheader, replace, enclose): RFC 5293 §6, the message "as modified by any actions that have
 * taken place so far".
 */
// A type, not an interface: action JSON stays assignable to Record<string, unknown>.
export type MessageState = {
  /**
   * The number of the result's changes (its `edit` action, in order) made before this action ran.
   * Absent: every change, the message as the script left it (also what the implicit keep stores).
   */
  editCount?: number;
};

/** The actions that carry the message itself (not a response to it), so changes made after them pass them by. */
const CARRIES_MESSAGE = new Set(['keep', 'fileinto', 'redirect']);

/**
 * One-line descriptions of extensions' actions for `sievert test` (the core ones are built in),
 * by action type; an extension sets its entries when its module loads.
 */
export const actionDescriptions = new Map<string, (action: ActionJson) => string>();

/**
 * One line for an action, as `sievert test` prints it (Pigeonhole's sieve-test wording for the
 * core actions); the CLI, `sievert filter` and the web editor's "try it" panel all use it.
 */
export function describeAction(a: ActionJson): string {
  const flags = 'flags' in a && a.flags.length ? ` (flags: ${a.flags.join(' ')})` : '';
  switch (a.type) {
    case 'keep':
      return `keep: store message in folder: INBOX${flags}`;
    case 'fileinto':
      return `fileinto: store message in folder: ${a.mailbox}${flags}${a.copy ? ' (copy)' : ''}${a.create ? ' (create)' : ''}`;
    case 'redirect':
      return `redirect message to: <${a.address}>${a.copy ? ' (copy)' : ''}`;
    case 'discard':
      return 'discard';
    default: {
      // Actions of extensions describe themselves, else their fields are listed.
      const described = actionDescriptions.get((a as { type: string }).type)?.(a);
      if (described !== undefined) return described;
      const { type, ...fields } = a as { type: string } & Record<string, unknown>;
      return `${type}: ${JSON.stringify(fields)}`;
    }
  }
}

/** The JSON form of an action: `{ type, ...fields }`. */
/**
 * The JSON fields that tags of other extensions add to an action (ActionOption in registry.ts),
 * e.g. fcc's `fcc` on vacation and notify. Extensions augment it like ActionJsonTypes; the
 * actions that accept such tags include `Partial<ActionOptionFields>` in their JSON type.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ActionOptionFields {}

export type ActionJson = {
  [K in keyof ActionJsonTypes]: { type: K } & ActionJsonTypes[K];
}[keyof ActionJsonTypes];

/**
 * An action in the result. Extensions define their own actions through this interface;
 * the result applies the RFC's rules generically.
 */
export interface Action {
  readonly json: ActionJson;
  /** RFC 5228 §2.10.2: whether performing this action cancels the implicit keep. */
  readonly cancelsImplicitKeep: boolean;
  /** Whether this action puts the message somewhere (keep, fileinto, redirect, reject). */
  readonly delivers: boolean;
  /** Actions with the same key are duplicates and are merged (RFC 5228 §2.10.3). */
  readonly key?: string;
  /** Merges a later duplicate into this action; returns the action to keep in the result. */
  merge?(later: Action): Action;
  /** An error message when this action cannot be in a result together with `other`. */
  conflict?(other: Action): string | null;
  /** Counts against the redirect limit. */
  readonly isRedirect?: boolean;
  readonly span?: Span;
  /**
   * The command that asked for this action when it is another command's action (fileinto "INBOX"
   * is a keep), for reports that name actions by command (the test suite's test_result_action)
   * and for isKeepCommand.
   */
  readonly command?: string;
}

/** Whether an action is the keep command's: a keep that no `fileinto "INBOX"` alone asked for. */
export function isKeepCommand(a: Action): boolean {
  return a.json.type === 'keep' && a.command !== 'fileinto';
}

/** The actions a run collects, with implicit keep and conflict rules (RFC 5228 §2.10). */
export class Result {
  readonly actions: Action[] = [];
  implicitKeep = true;
  redirects = 0;
  /** Set by extensions that change how the implicit keep is performed (imap4flags). */
  implicitKeepFlags: () => string[] = () => [];
  /**
   * Actions already carried out while the result goes on growing: a host that runs several
   * scripts into one result (the test suite's test_result_execute and test_multiscript) performs
   * each script's actions before the next script runs.
   */
  readonly performed = new Set<Action>();
  /** How many times the message was changed so far (see MessageState). */
  private changes = 0;

  constructor(private readonly limits: Limits) {}

  /**
   * The `keep` command ran (not only `fileinto "INBOX"`, which is the same action). A script
   * sequence goes on after it, as after an implicit keep (see RunResult.keepCommand).
   */
  get keepCommand(): boolean {
    return this.actions.some(isKeepCommand);
  }

  /**
   * The message is about to change (editheader, replace, enclose): the actions so far that carry
   * it keep the message as it is now (RFC 5293 §6). Call before adding the change itself.
   */
  messageChanging(): void {
    for (const a of this.actions) {
      if (CARRIES_MESSAGE.has(a.json.type) && (a.json as MessageState).editCount === undefined) {
        (a.json as MessageState).editCount = this.changes;
      }
    }
    this.changes++;
  }

  add(action: Action, span: Span | undefined): void {
    if (action.cancelsImplicitKeep) this.implicitKeep = false;
    if (action.key !== undefined) {
      const i = this.actions.findIndex((a) => a.key === action.key);
      const existing = i >= 0 ? this.actions[i] : undefined;
      if (existing) {
        const merged = existing.merge ? existing.merge(action) : existing;
        // The duplicate is the earlier action: it carries the message as it was then (Pigeonhole).
        const count = (existing.json as MessageState).editCount;
        if (merged !== existing && count !== undefined) (merged.json as MessageState).editCount = count;
        this.actions[i] = merged;
        return;
      }
    }
    for (const other of this.actions) {
      const why = other.conflict?.(action) ?? action.conflict?.(other) ?? null;
      if (why === null) continue;
      // An action already performed cannot be taken back, so a later one that conflicts with it
      // is no error (Pigeonhole's rule for reject after an earlier script's store); the same
      // action again (a second reject) is a duplicate of the performed one and is dropped.
      if (this.performed.has(other)) {
        if (other.json.type === action.json.type) return;
        continue;
      }
      throw new SieveRuntimeError(why, span);
    }
    if (action.isRedirect) {
      if (this.redirects >= this.limits.maxRedirects) {
        throw new SieveRuntimeError(
          `number of redirect actions exceeds policy limit (${this.redirects + 1} > ${this.limits.maxRedirects})`,
          span,
        );
      }
      this.redirects++;
    }
    if (this.actions.length >= this.limits.maxActions) {
      throw new SieveRuntimeError(
        `total number of actions exceeds policy limit (${this.actions.length + 1} > ${this.limits.maxActions})`,
        span,
      );
    }
    this.actions.push(action);
  }
}

/**
 * Another script compiled by the engine that runs this one (include, RFC 6609): its code, or
 * the errors that kept it from compiling.
 */
export type CompiledScript =
  | { readonly exec: Exec; readonly errors?: undefined }
  | { readonly exec: null; readonly errors: readonly string[] };

/** The state of one run. Extensions keep their own state in `state`. */
export class ExecutionContext {
  steps = 0;
  /** Match variables of the last successful :matches/:regex test (RFC 5229 §3.2). */
  matchValues: string[] | null = null;
  readonly state = new Map<symbol, unknown>();
  /** Compiles another script with the same engine and limits (include); set by the engine. */
  compileScript: ((source: string) => CompiledScript) | undefined = undefined;

  constructor(
    /** Replaced by extensions that change the message for later tests (editheader, replace, ...). */
    public message: SieveMessage,
    readonly envelope: Envelope,
    /** Replaced only by the test suite (vnd.dovecot.testsuite), whose blocks each start a new result. */
    public result: Result,
    /** Replaced only by the test suite's test_config_reload, which changes the running file's limits. */
    public limits: Limits,
    readonly host: SieveHost,
    readonly trace: ((e: TraceEvent) => void) | undefined,
  ) {
    // The flags the message already has (SieveHost.messageFlags) go with the implicit keep.
    const given = host.messageFlags;
    if (given) {
      const flags = [...new Set(given)].sort();
      result.implicitKeepFlags = () => [...flags];
    }
  }

  step(span: Span): void {
    if (++this.steps > this.limits.maxSteps) {
      throw new SieveRuntimeError(
        `the script took too many steps: the limit is ${this.limits.maxSteps} commands and tests per run`,
        span,
      );
    }
  }
}

/** A compiled command. Returns true when the script must stop (the `stop` command). */
export type Exec = (ctx: ExecutionContext) => boolean;
/** A compiled test. */
export type TestFn = (ctx: ExecutionContext) => boolean;

/** A string argument: a constant, or a value computed at run time (variables). */
export type StringValue =
  | { readonly constant: true; readonly value: string }
  | { readonly constant: false; readonly get: (ctx: ExecutionContext) => string };

export function evaluate(s: StringValue, ctx: ExecutionContext): string {
  return s.constant ? s.value : s.get(ctx);
}

/** A compiled match: match type + comparator + keys, applied to the values a test extracts. */
export interface Matcher {
  /** True when any value matches (for :count, when the number of values compares true). */
  match(ctx: ExecutionContext, values: readonly string[]): boolean;
}

/** Given to spec.compile: compiles arguments and nested tests and commands. */
export interface CompileContext {
  readonly limits: Limits;
  string(arg: Argument): StringValue;
  /** A string or string list argument as a list of values. */
  stringList(arg: Argument): StringValue[];
  test(t: ValidatedTest): TestFn;
  block(cmds: readonly ValidatedCommand[]): Exec;
  /**
   * The matcher for a test that accepts comparator and match type, with its key list: the
   * argument, or keys the test made of it (hasflag's words).
   */
  matcher(args: ValidatedArguments, keys: Argument | StringValue[]): Matcher;
  /** Whether the script required this capability. */
  requires(capability: string): boolean;
}
