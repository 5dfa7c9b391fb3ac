// What the test-suite extension needs from the program that runs a .svtest file (the runner in
// src/testsuite): file access, the engine with the current settings, the test mail store and
// the outbox, and the report. The extension stays pure; the runner does the I/O.
import type { Diagnostic } from '../../diagnostics.js';
import type { Program } from '../../engine.js';
import type { Limits } from '../../limits.js';
import type { ActionJson } from '../../runtime.js';

/** The envelope of a captured or stored message. */
export interface TestEnvelope {
  from: string | null;
  to: string;
  originalTo?: string;
  auth?: string;
}

/** A message captured in the outbox or stored in a mailbox. */
export interface TestMessage {
  readonly raw: string;
  /** The envelope it was sent with (outbox), or null (mail store). */
  readonly envelope: TestEnvelope | null;
  readonly flags: readonly string[];
}

/** What executing one action needs: the message and envelope it applies to. */
export interface ExecutionInput {
  readonly action: ActionJson;
  readonly raw: string;
  readonly envelope: TestEnvelope;
}

export interface TestsuiteHost {
  /** The directory of the .svtest file (`${tst.path}`), without a trailing slash. */
  readonly path: string;

  /** Reads `<path>/<relativePath>` and compiles it with the current settings. */
  compile(relativePath: string): { program: Program | null; diagnostics: readonly Diagnostic[] };

  /** A named test block starts (`test "name" {`). */
  testStarted(name: string): void;
  testSucceeded(): void;
  /** The current block failed; outside a block, the whole test case. */
  testFailed(reason: string): void;
  /** Debug output (test_result_print, test_message_print). */
  print(text: string): void;

  /** test_config_set / test_config_unset / test_config_reload. */
  configSet(name: string, value: string): void;
  configUnset(name: string): void;
  /**
   * Applies the settings; `extension` narrows the reload to one extension's settings. Returns the
   * limits now in force: they apply to the running test file too, as in Pigeonhole.
   */
  configReload(extension: string | null): Limits;

  mailboxCreate(name: string): boolean;
  mailboxDelete(name: string): boolean;
  /** The index-th (0-based) message stored in a mailbox, or null. */
  mailboxMessage(mailbox: string, index: number): TestMessage | null;
  /** The index-th (0-based) message in the outbox, or null. */
  outboxMessage(index: number): TestMessage | null;
  /** Drops the captured outgoing mail. */
  outboxReset(): void;

  /** Performs one action: stores, sends into the outbox, or records it. Null, or an error message. */
  execute(input: ExecutionInput): string | null;

  /** test_imap_metadata_set: a mailbox annotation, or a server one when `mailbox` is null. */
  metadataSet(mailbox: string | null, annotation: string, value: string): boolean;
}

export function testsuiteHost(host: { readonly [service: string]: unknown }): TestsuiteHost | null {
  const t = host['testsuite'];
  return typeof t === 'object' && t !== null ? (t as TestsuiteHost) : null;
}
