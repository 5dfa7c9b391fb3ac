// The public surface of the Sieve engine. Pure: no I/O; runs in Node and in browsers.
import {
  Engine,
  runProgram,
  type CompileResult,
  type EngineOptions,
  type Program,
  type RunInput,
  type RunResult,
} from './engine.js';
import { ALL_EXTENSIONS } from './extensions/index.js';

export { Engine, hashSource } from './engine.js';
export type {
  CompileResult,
  EngineOptions,
  Program,
  RunInput,
  RunResult,
  RuntimeErrorInfo,
} from './engine.js';
export type { Diagnostic, Severity, Position, Span } from './diagnostics.js';
export { formatDiagnostic } from './diagnostics.js';
export { decodeScript } from './source.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
export type { ActionJson, ActionJsonTypes, Envelope, TraceEvent } from './runtime.js';
export { actionDescriptions, describeAction } from './runtime.js';
export type * from './host.js';
export type { ExtensionDefinition } from './registry.js';
export { ALL_EXTENSIONS } from './extensions/index.js';
export { splitSubaddress } from './extensions/subaddress/index.js';
// The outgoing messages a result asks for (redirect, vacation, notify, reject) and the stored
// copy's header edits, for the hosts that carry a result out (delivery, the test-suite runner).
export * from './outgoing.js';
export { impliedEnvelope, parseMessage } from './message/index.js';
export type { SieveMessage, MailAddress, AddressHeaderValue } from './message/types.js';

/** An engine with every extension sievert ships. */
export function createEngine(options: EngineOptions = {}): Engine {
  return new Engine({ ...options, extensions: options.extensions ?? ALL_EXTENSIONS });
}

let shared: Engine | undefined;

/** Compiles with the default engine (every extension, default limits, a compile cache). */
export function compile(source: string): CompileResult {
  shared ??= createEngine();
  return shared.compile(source);
}

/** Runs a compiled program against one message. */
export function run(program: Program, input: RunInput): RunResult {
  return runProgram(program, input);
}
