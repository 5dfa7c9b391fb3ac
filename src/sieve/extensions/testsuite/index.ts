// vnd.dovecot.testsuite: the language of Pigeonhole's .svtest files (test blocks, a current
// message and envelope, compiling and running other scripts, matching their errors and
// actions, executing results into a test mail store). Not part of ALL_EXTENSIONS: only the
// test-suite runner (src/testsuite) builds an engine with it. Everything outside the engine
// (files, settings, mail store, outbox, the report) goes through `host.testsuite`
// (TestsuiteHost); without it the commands fail at run time.
import type { Argument } from '../../ast.js';
import { octet } from '../../comparators/builtin.js';
import type { Diagnostic, Span } from '../../diagnostics.js';
import { executionContext, type Program } from '../../engine.js';
import { impliedEnvelope, parseMessage } from '../../message/index.js';
import type { SieveMessage } from '../../message/types.js';
import { editedMessage } from '../../outgoing.js';
import type { ExtensionDefinition, ValidatedTest } from '../../registry.js';
import {
  evaluate,
  type ExecutionContext,
  isKeepCommand,
  Result,
  SieveRuntimeError,
  type Action,
  type ActionJson,
  type CompileContext,
  type StringValue,
  type TestFn,
} from '../../runtime.js';
import type { ValidationContext } from '../../validator.js';
import { MATCH_GROUPS } from '../base/index.js';
import { setInternalFlags } from '../imap4flags/index.js';
import { variableNamespaces } from '../variables/index.js';
import { testsuiteHost, type TestEnvelope, type TestsuiteHost } from './host.js';

export type { ExecutionInput, TestEnvelope, TestMessage, TestsuiteHost } from './host.js';

export const TESTSUITE_CAPABILITY = 'vnd.dovecot.testsuite';

/** The message every test case starts with (as Pigeonhole's testsuite). */
export const DEFAULT_TEST_MESSAGE =
  'From: sender@example.com\nTo: recipient@example.org\nSubject: Frop!\n\nFriep!\n';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function parseTestMessage(raw: string): SieveMessage {
  return parseMessage(encoder.encode(raw));
}

/** The envelope a message implies (impliedEnvelope); the original recipient is the recipient. */
export function envelopeOf(message: SieveMessage): TestEnvelope {
  const { from, to } = impliedEnvelope(message);
  return { from, to, originalTo: to };
}

/** An SMTP path as test_set gets it: optional angle brackets; "<>" is the null sender. */
function smtpPath(value: string): string {
  const v = value.trim();
  return v.startsWith('<') && v.endsWith('>') ? v.slice(1, -1).trim() : v;
}

/** The name test_result_action matches for an action (Pigeonhole's action names). */
export function actionName(action: Action): string {
  // fileinto "INBOX" is a keep to the engine, a store to Pigeonhole.
  if (action.command === 'fileinto') return 'store';
  const type: string = action.json.type;
  switch (type) {
    case 'fileinto':
      return 'store';
    case 'ereject':
      return 'reject';
    // The duplicate test's tracking (RFC 7352 §3.1), as Pigeonhole names it.
    case 'duplicate':
      return 'duplicate_mark';
    default:
      return type;
  }
}

/** Ends the current test block (test_fail, a failed test_message command). */
class TestFailure extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TestFailure';
  }
}

/** Ends the whole test case (test_fail outside a block). */
export class TestCaseAborted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TestCaseAborted';
  }
}

interface SuiteState {
  /** The current message's text (test_set "message", test_message). */
  raw: string;
  /** The IMAP flags of the current message (test_message :folder): where hasflag starts. */
  flags: readonly string[];
  program: Program | null;
  /** Error messages of the last compile, run or execution (test_error). */
  errors: string[];
  /** The suite's result; test_result_execute performs its actions once each (Result.performed). */
  result: Result;
  implicitKeepDone: boolean;
  /** test_binary_save: compiled programs by name (the compiled form is the closure tree). */
  binaries: Map<string, Program>;
  inTest: boolean;
}

const STATE = Symbol('testsuite');

function state(ctx: ExecutionContext): SuiteState {
  let st = ctx.state.get(STATE) as SuiteState | undefined;
  if (st === undefined) {
    st = {
      raw: DEFAULT_TEST_MESSAGE,
      flags: [],
      program: null,
      errors: [],
      // The test file's own actions go into the suite's result (Pigeonhole keeps one result).
      result: ctx.result,
      implicitKeepDone: false,
      binaries: new Map(),
      inTest: false,
    };
    ctx.state.set(STATE, st);
    startFromMessageFlags(ctx.result, st);
  }
  return st;
}

function host(ctx: ExecutionContext, span: Span): TestsuiteHost {
  const h = testsuiteHost(ctx.host);
  if (!h) {
    throw new SieveRuntimeError('vnd.dovecot.testsuite can only be used by the test-suite runner', span);
  }
  return h;
}

/** Reports a failure: of the current block (which then ends), else of the whole case. */
function fail(ctx: ExecutionContext, reason: string, span: Span): never {
  const st = state(ctx);
  host(ctx, span).testFailed(reason);
  if (st.inTest) throw new TestFailure(reason);
  throw new TestCaseAborted(reason);
}

/**
 * imap4flags' internal variable belongs to the result and starts with the current message's
 * flags (as in Pigeonhole, where it starts from the mail's): until a script sets it, it follows
 * the message test_message made current.
 */
function startFromMessageFlags(result: Result, st: Pick<SuiteState, 'flags'>): void {
  result.implicitKeepFlags = () => [...st.flags].sort();
}

function resetResult(ctx: ExecutionContext, st: SuiteState): void {
  const fresh = new Result(st.program?.limits ?? ctx.limits);
  startFromMessageFlags(fresh, st);
  st.result = fresh;
  // Actions of the test file itself (not only of test_script_run) land in the new result.
  ctx.result = fresh;
  st.implicitKeepDone = false;
}

/** Sets the current message and the envelope it implies (test_set "message", test_message). */
function setMessage(
  ctx: ExecutionContext,
  raw: string,
  envelope: TestEnvelope | null,
  flags: readonly string[] = [],
): void {
  const st = state(ctx);
  st.raw = raw;
  st.flags = flags;
  ctx.message = parseTestMessage(raw);
  const env = envelope ?? envelopeOf(ctx.message);
  // The runner gives the main run a mutable envelope object: the test suite's own tests
  // (envelope, vacation …) read the current one.
  Object.assign(ctx.envelope, {
    from: env.from,
    to: env.to,
    originalTo: env.originalTo ?? env.to,
    auth: env.auth,
  });
}

function runtimeMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Runs a compiled script on `message` (default the current one) into `result`. Gives the message
 * as the script left it (its edits), or null after a run-time error.
 */
function runScript(
  ctx: ExecutionContext,
  program: Program,
  result: Result,
  errors: string[],
  message: SieveMessage = ctx.message,
): SieveMessage | null {
  const sub = executionContext(program, { message, envelope: { ...ctx.envelope }, host: ctx.host }, result);
  try {
    program.exec(sub);
    return sub.message;
  } catch (e) {
    if (e instanceof TestFailure || e instanceof TestCaseAborted) throw e;
    errors.push(runtimeMessage(e));
    return null;
  }
}

/**
 * Performs the actions of `result` not yet performed (but those `deferred` leaves for later), then
 * the implicit keep (RFC 5228 §2.10.2), which is also the fallback when an action fails
 * (§2.10.6). Returns false when any failed.
 */
function executeResult(
  ctx: ExecutionContext,
  th: TestsuiteHost,
  st: Pick<SuiteState, 'raw' | 'errors' | 'implicitKeepDone'>,
  result: Result,
  withImplicitKeep = true,
  deferred: (a: Action) => boolean = () => false,
): boolean {
  let ok = true;
  const envelope: TestEnvelope = { ...ctx.envelope };
  // The copies stored and sent carry the edits made before their action ran (RFC 5293 §6), as
  // delivery applies them.
  const bytes = encoder.encode(st.raw);
  const edited = editedMessage(
    bytes,
    result.actions.map((a) => a.json),
  );
  const text = (b: Uint8Array): string => (b === bytes ? st.raw : decoder.decode(b));
  for (const a of result.actions) {
    if (result.performed.has(a) || deferred(a)) continue;
    result.performed.add(a);
    if (a.json.type === 'discard' || a.json.type === 'edit') continue;
    const err = th.execute({ action: a.json, raw: text(edited.of(a.json)), envelope });
    if (err !== null) {
      st.errors.push(err);
      ok = false;
    }
  }
  if (((withImplicitKeep && result.implicitKeep) || !ok) && !st.implicitKeepDone) {
    st.implicitKeepDone = true;
    const keep: ActionJson = { type: 'keep', flags: result.implicitKeepFlags() };
    // After a failed action the keep is the fallback of RFC 5228 §2.10.6: the message as it arrived.
    const err = th.execute({ action: keep, raw: ok ? text(edited.stored) : st.raw, envelope });
    if (err !== null) {
      st.errors.push(err);
      ok = false;
    }
  }
  return ok;
}

function describe(json: ActionJson): string {
  const { type, ...fields } = json as { type: string } & Record<string, unknown>;
  return Object.keys(fields).length ? `${type} ${JSON.stringify(fields)}` : type;
}

function constantString(v: ValidationContext, arg: Argument | undefined): string | null {
  return arg?.kind === 'string' && v.isConstant(arg) ? v.value(arg) : null;
}

function numberArg(arg: Argument | undefined): number {
  return arg?.kind === 'number' ? arg.value : 0;
}

/** test_error and test_result_action: match-type, comparator (default i;octet) and :index. */
function listTest(
  name: string,
  values: (ctx: ExecutionContext) => readonly string[],
): Parameters<Parameters<ExtensionDefinition['setup']>[0]['test']>[0] {
  return {
    name,
    positional: [{ name: 'key list', type: 'string-list' }],
    tags: [{ name: 'index', value: { name: 'index', type: 'number' } }],
    groups: MATCH_GROUPS,
    tests: 'none',
    validate(_v, t) {
      // Pigeonhole matches these lists with i;octet unless a comparator is given.
      if (!t.groups.has('comparator')) t.comparator = octet;
    },
    compile(cc: CompileContext, t: ValidatedTest): TestFn {
      const matcher = cc.matcher(t, t.positional[0]!);
      const index = t.tags.get('index');
      const n = index ? numberArg(index.value) : 0;
      return (ctx) => {
        const all = values(ctx);
        // :index is 1-based; a missing item gives an empty list.
        const list = n > 0 ? (n <= all.length ? [all[n - 1]!] : []) : all;
        return matcher.match(ctx, list);
      };
    },
  };
}

const ENVELOPE_MEMBERS = ['from', 'to', 'orig_to', 'auth'];

/** The object argument of test_set: "message" or "envelope.<member>". */
function testObjectError(object: string): string | null {
  const dot = object.indexOf('.');
  const name = (dot < 0 ? object : object.slice(0, dot)).toLowerCase();
  const member = dot < 0 ? null : object.slice(dot + 1).toLowerCase();
  if (name === 'message') {
    return member === null ? null : `member '${member}' does not exist for testsuite object 'message'`;
  }
  if (name === 'envelope') {
    if (member === null) return `testsuite object 'envelope' needs a member (${ENVELOPE_MEMBERS.join(', ')})`;
    return ENVELOPE_MEMBERS.includes(member)
      ? null
      : `member '${member}' does not exist for testsuite object 'envelope'`;
  }
  return `unknown testsuite object '${name}'`;
}

/** Shared by the test_message command and test. */
function messageSource(
  cc: CompileContext,
  t: { tags: ReadonlyMap<string, { value: Argument | undefined }> },
) {
  const folder = t.tags.get('folder');
  return folder?.value ? cc.string(folder.value) : null;
}

function loadMessage(
  ctx: ExecutionContext,
  folder: StringValue | null,
  index: number,
  span: Span,
): { ok: true } | { ok: false; why: string } {
  const th = host(ctx, span);
  if (folder === null) {
    const m = th.outboxMessage(index);
    if (!m) return { ok: false, why: `no outgoing SMTP message with index ${index}` };
    setMessage(ctx, m.raw, m.envelope);
    return { ok: true };
  }
  const mailbox = evaluate(folder, ctx);
  const m = th.mailboxMessage(mailbox, index);
  if (!m) return { ok: false, why: `no message in folder '${mailbox}' with index ${index}` };
  setMessage(ctx, m.raw, null, m.flags);
  // The specification: after test_message :folder, hasflag sees the stored message's flags.
  setInternalFlags(ctx.result, m.flags);
  return { ok: true };
}

const MESSAGE_TAGS = [
  { name: 'smtp', group: 'message-source' },
  { name: 'folder', group: 'message-source', value: { name: 'mailbox', type: 'string' as const } },
];

function validateMessageSource(
  v: ValidationContext,
  node: { nameSpan: Span },
  groups: ReadonlyMap<string, unknown>,
): void {
  if (!groups.has('message-source')) {
    v.error(
      'testsuite.message-source',
      'the test_message command requires either the :smtp or the :folder tag to be specified',
      node.nameSpan,
    );
  }
}

// `${tst.path}`: the directory of the .svtest file.
variableNamespaces.set('tst', {
  extension: TESTSUITE_CAPABILITY,
  get: (ctx, name) => (name.toLowerCase() === 'path' ? (testsuiteHost(ctx.host)?.path ?? '') : ''),
  valid: (name) => name.toLowerCase() === 'path',
});

export const testsuite: ExtensionDefinition = {
  name: TESTSUITE_CAPABILITY,
  setup(r) {
    r.command({
      name: 'test',
      positional: [{ name: 'test-name', type: 'string' }],
      tests: 'none',
      block: 'required',
      validate(v, cmd) {
        // Test blocks do not nest (Pigeonhole: "tests cannot be nested").
        const visit = (nodes: readonly { name: string; nameSpan: Span; block: unknown }[] | null): void => {
          for (const n of nodes ?? []) {
            if (n.name === 'test') {
              v.error(
                'testsuite.nested-test',
                'tests cannot be nested: test command must be issued at top-level',
                n.nameSpan,
              );
            }
            visit(n.block as typeof nodes);
          }
        };
        visit(cmd.node.block);
      },
      compile(cc, cmd) {
        const name = cc.string(cmd.positional[0]!);
        const body = cc.block(cmd.block!);
        const span = cmd.node.nameSpan;
        return (ctx) => {
          const th = host(ctx, span);
          const st = state(ctx);
          th.testStarted(evaluate(name, ctx));
          // Each block starts from a fresh result.
          resetResult(ctx, st);
          st.inTest = true;
          try {
            // `stop` inside a block ends the test case without a verdict for the block.
            if (body(ctx)) return true;
          } catch (e) {
            if (e instanceof TestFailure) return false;
            throw e;
          } finally {
            st.inTest = false;
          }
          th.testSucceeded();
          return false;
        };
      },
    });

    r.command({
      name: 'test_fail',
      positional: [{ name: 'reason', type: 'string' }],
      tests: 'none',
      block: 'none',
      compile(cc, cmd) {
        const reason = cc.string(cmd.positional[0]!);
        const span = cmd.node.nameSpan;
        return (ctx) => fail(ctx, evaluate(reason, ctx), span);
      },
    });

    r.command({
      name: 'test_set',
      positional: [
        { name: 'object', type: 'string' },
        { name: 'value', type: 'string' },
      ],
      tests: 'none',
      block: 'none',
      validate(v, cmd) {
        const object = constantString(v, cmd.positional[0]);
        const why = object === null ? null : testObjectError(object);
        if (why !== null) v.error('testsuite.unknown-object', why, cmd.positional[0]!.span);
      },
      compile(cc, cmd) {
        const object = cc.string(cmd.positional[0]!);
        const value = cc.string(cmd.positional[1]!);
        const span = cmd.node.nameSpan;
        return (ctx) => {
          const o = evaluate(object, ctx).toLowerCase();
          const v = evaluate(value, ctx);
          const why = testObjectError(o);
          if (why !== null) throw new SieveRuntimeError(`test_set: ${why}`, span);
          const env = ctx.envelope as TestEnvelope;
          switch (o) {
            case 'message':
              setMessage(ctx, v, null);
              break;
            case 'envelope.from':
              env.from = smtpPath(v);
              break;
            case 'envelope.to':
              env.to = smtpPath(v);
              env.originalTo = env.to;
              break;
            case 'envelope.orig_to':
              env.originalTo = smtpPath(v);
              break;
            case 'envelope.auth':
              env.auth = v;
              break;
          }
          return false;
        };
      },
    });

    r.command({
      name: 'test_config_set',
      positional: [
        { name: 'setting', type: 'string' },
        { name: 'value', type: 'string' },
      ],
      tests: 'none',
      block: 'none',
      compile(cc, cmd) {
        const setting = cc.string(cmd.positional[0]!);
        const value = cc.string(cmd.positional[1]!);
        const span = cmd.node.nameSpan;
        return (ctx) => {
          host(ctx, span).configSet(evaluate(setting, ctx), evaluate(value, ctx));
          return false;
        };
      },
    });

    r.command({
      name: 'test_config_unset',
      positional: [{ name: 'setting', type: 'string' }],
      tests: 'none',
      block: 'none',
      compile(cc, cmd) {
        const setting = cc.string(cmd.positional[0]!);
        const span = cmd.node.nameSpan;
        return (ctx) => {
          host(ctx, span).configUnset(evaluate(setting, ctx));
          return false;
        };
      },
    });

    r.command({
      name: 'test_config_reload',
      positional: [],
      tags: [{ name: 'extension', value: { name: 'extension', type: 'string' } }],
      tests: 'none',
      block: 'none',
      compile(cc, cmd) {
        const ext = cmd.tags.get('extension')?.value;
        const extension = ext ? cc.string(ext) : null;
        const span = cmd.node.nameSpan;
        return (ctx) => {
          ctx.limits = host(ctx, span).configReload(extension ? evaluate(extension, ctx) : null);
          return false;
        };
      },
    });

    r.command({
      name: 'test_result_reset',
      positional: [],
      tests: 'none',
      block: 'none',
      compile(_cc, cmd) {
        const span = cmd.node.nameSpan;
        return (ctx) => {
          const st = state(ctx);
          resetResult(ctx, st);
          host(ctx, span).outboxReset();
          return false;
        };
      },
    });

    r.command({
      name: 'test_result_print',
      positional: [],
      tests: 'none',
      block: 'none',
      compile(_cc, cmd) {
        const span = cmd.node.nameSpan;
        return (ctx) => {
          const st = state(ctx);
          const lines = st.result.actions.map((a) => ` * ${describe(a.json)}`);
          if (st.result.implicitKeep) lines.push(' * keep (implicit)');
          host(ctx, span).print(`\n--\n${lines.join('\n')}\n--\n\n`);
          return false;
        };
      },
    });

    r.command({
      name: 'test_message_print',
      positional: [],
      tests: 'none',
      block: 'none',
      compile(_cc, cmd) {
        const span = cmd.node.nameSpan;
        return (ctx) => {
          host(ctx, span).print(`\n--MESSAGE: \n${state(ctx).raw}\n--MESSAGE--\n`);
          return false;
        };
      },
    });

    r.command({
      name: 'test_message',
      positional: [{ name: 'index', type: 'number' }],
      tags: MESSAGE_TAGS,
      tests: 'none',
      block: 'none',
      validate: (v, cmd) => validateMessageSource(v, cmd.node, cmd.groups),
      compile(cc, cmd) {
        const folder = messageSource(cc, cmd);
        const index = numberArg(cmd.positional[0]);
        const span = cmd.node.nameSpan;
        return (ctx) => {
          const r = loadMessage(ctx, folder, index, span);
          if (!r.ok) fail(ctx, r.why, span);
          return false;
        };
      },
    });

    r.test({
      name: 'test_message',
      positional: [{ name: 'index', type: 'number' }],
      tags: MESSAGE_TAGS,
      tests: 'none',
      validate: (v, t) => validateMessageSource(v, t.node, t.groups),
      compile(cc, t) {
        const folder = messageSource(cc, t);
        const index = numberArg(t.positional[0]);
        const span = t.node.nameSpan;
        return (ctx) => loadMessage(ctx, folder, index, span).ok;
      },
    });

    for (const [name, op] of [
      ['test_mailbox_create', 'create'],
      ['test_mailbox_delete', 'delete'],
    ] as const) {
      r.command({
        name,
        positional: [{ name: 'mailbox', type: 'string' }],
        tests: 'none',
        block: 'none',
        compile(cc, cmd) {
          const mailbox = cc.string(cmd.positional[0]!);
          const span = cmd.node.nameSpan;
          return (ctx) => {
            const th = host(ctx, span);
            const m = evaluate(mailbox, ctx);
            const ok = op === 'create' ? th.mailboxCreate(m) : th.mailboxDelete(m);
            if (!ok) fail(ctx, `failed to ${op} mailbox '${m}'`, span);
            return false;
          };
        },
      });
    }

    r.command({
      name: 'test_binary_save',
      positional: [{ name: 'binary-name', type: 'string' }],
      tests: 'none',
      block: 'none',
      compile(cc, cmd) {
        const name = cc.string(cmd.positional[0]!);
        const span = cmd.node.nameSpan;
        return (ctx) => {
          const st = state(ctx);
          const n = evaluate(name, ctx);
          if (!st.program) fail(ctx, `failed to save binary '${n}': no script compiled yet`, span);
          st.binaries.set(n, st.program);
          return false;
        };
      },
    });

    r.command({
      name: 'test_binary_load',
      positional: [{ name: 'binary-name', type: 'string' }],
      tests: 'none',
      block: 'none',
      compile(cc, cmd) {
        const name = cc.string(cmd.positional[0]!);
        const span = cmd.node.nameSpan;
        return (ctx) => {
          const st = state(ctx);
          const n = evaluate(name, ctx);
          const program = st.binaries.get(n);
          if (!program) fail(ctx, `failed to load binary '${n}'`, span);
          st.program = program;
          return false;
        };
      },
    });

    r.command({
      name: 'test_imap_metadata_set',
      positional: [
        { name: 'annotation', type: 'string' },
        { name: 'value', type: 'string' },
      ],
      tags: [{ name: 'mailbox', value: { name: 'mailbox', type: 'string' } }],
      tests: 'none',
      block: 'none',
      compile(cc, cmd) {
        const mb = cmd.tags.get('mailbox')?.value;
        const mailbox = mb ? cc.string(mb) : null;
        const annotation = cc.string(cmd.positional[0]!);
        const value = cc.string(cmd.positional[1]!);
        const span = cmd.node.nameSpan;
        return (ctx) => {
          const m = mailbox ? evaluate(mailbox, ctx) : null;
          const a = evaluate(annotation, ctx);
          if (!host(ctx, span).metadataSet(m, a, evaluate(value, ctx))) {
            fail(ctx, `failed to set IMAP metadata '${a}'${m === null ? '' : ` for mailbox '${m}'`}`, span);
          }
          return false;
        };
      },
    });

    r.test({
      name: 'test_script_compile',
      positional: [{ name: 'script', type: 'string' }],
      tests: 'none',
      compile(cc, t) {
        const path = cc.string(t.positional[0]!);
        const span = t.node.nameSpan;
        return (ctx) => {
          const st = state(ctx);
          const { program, diagnostics } = host(ctx, span).compile(evaluate(path, ctx));
          st.errors = errorMessages(diagnostics);
          // A failed compile ends with an error that says so (Pigeonhole's "validation failed"):
          // test_error counts in test files written for Pigeonhole include it.
          if (program === null) {
            const n = st.errors.length;
            st.errors.push(`compilation failed: the script has ${n} error${n === 1 ? '' : 's'}`);
          }
          // A failed compile leaves the previous script in place (as Pigeonhole).
          if (program) st.program = program;
          return program !== null;
        };
      },
    });

    r.test({
      name: 'test_script_run',
      positional: [],
      tags: [{ name: 'append_result' }],
      tests: 'none',
      compile(_cc, t) {
        const append = t.tags.has('append_result');
        return (ctx) => {
          const st = state(ctx);
          st.errors = [];
          if (!st.program) {
            st.errors.push('testsuite: trying to run script, but no script compiled yet');
            return false;
          }
          if (!append) resetResult(ctx, st);
          return runScript(ctx, st.program, st.result, st.errors) !== null;
        };
      },
    });

    r.test({
      name: 'test_multiscript',
      positional: [{ name: 'scripts', type: 'string-list' }],
      tests: 'none',
      compile(cc, t) {
        const scripts = cc.stringList(t.positional[0]!);
        const span = t.node.nameSpan;
        return (ctx) => {
          const th = host(ctx, span);
          const st = state(ctx);
          st.errors = [];
          // As one delivery (Pigeonhole's multiscript): the scripts run into one result, so they
          // share imap4flags' internal variable and each sees the message as the earlier ones
          // changed it; each script's actions are performed before the next runs. The sequence
          // goes on only while the message would still be kept (implicitly or by an explicit
          // keep), and that keep is deferred: performed once, at the end, unless a later script
          // cancels it.
          const result = new Result(ctx.limits);
          startFromMessageFlags(result, st);
          const exec = { raw: st.raw, errors: st.errors, implicitKeepDone: false };
          let message: SieveMessage = ctx.message;
          let keep = true;
          let ok = true;
          for (const s of scripts) {
            if (!keep) break;
            const { program, diagnostics } = th.compile(evaluate(s, ctx));
            st.errors.push(...errorMessages(diagnostics));
            if (!program) {
              ok = false;
              break;
            }
            // Whether this script cancels the keep that is in force so far.
            result.implicitKeep = true;
            const keepBefore = result.actions.find(isKeepCommand);
            const edited = runScript(ctx, program, result, st.errors, message);
            if (edited === null) {
              ok = false;
              break;
            }
            message = edited;
            const explicitKeep = result.actions.find(isKeepCommand);
            // The keep is deferred; fileinto "INBOX" is a store to Pigeonhole: performed at
            // once, and it ends the sequence.
            if (!executeResult(ctx, th, exec, result, false, isKeepCommand)) ok = false;
            keep = result.implicitKeep || (explicitKeep !== undefined && explicitKeep !== keepBefore);
          }
          if (keep || !ok) {
            // The deferred keep: an explicit one as it was asked for, else the implicit keep
            // (the final message); after a failure, the message as it arrived.
            const explicit = result.actions.find(isKeepCommand);
            const action: ActionJson = explicit?.json ?? { type: 'keep', flags: result.implicitKeepFlags() };
            const edits = editedMessage(
              encoder.encode(st.raw),
              result.actions.map((a) => a.json),
            );
            const raw = ok ? decoder.decode(edits.of(action)) : st.raw;
            const err = th.execute({ action, raw, envelope: { ...ctx.envelope } });
            if (err !== null) {
              st.errors.push(err);
              ok = false;
            }
          }
          return ok;
        };
      },
    });

    r.test(listTest('test_error', (ctx) => state(ctx).errors));

    r.test(listTest('test_result_action', (ctx) => state(ctx).result.actions.map((a) => actionName(a))));

    r.test({
      name: 'test_result_execute',
      positional: [],
      tests: 'none',
      compile(_cc, t) {
        const span = t.node.nameSpan;
        return (ctx) => {
          const st = state(ctx);
          st.errors = [];
          return executeResult(ctx, host(ctx, span), st, st.result);
        };
      },
    });
  },
};

function errorMessages(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
}
