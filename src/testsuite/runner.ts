// Runs .svtest files (Pigeonhole's test-suite language) and reports in Pigeonhole's format:
//
//   Test case: FILE:
//
//    1: Test 'name' SUCCEEDED
//    2: Test 'name' FAILED: reason
//
//   FAIL: 1 of 2 tests failed.
//
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  ALL_EXTENSIONS,
  Engine,
  type Diagnostic,
  type IncludedScript,
  type Program,
  type ScriptLocation,
  type SieveHost,
} from '../sieve/index.js';
import {
  DEFAULT_TEST_MESSAGE,
  envelopeOf,
  parseTestMessage,
  testsuite,
  type TestEnvelope,
  type TestsuiteHost,
} from '../sieve/extensions/testsuite/index.js';
import { executeAction, MailStore, mailboxKey, Outbox, USER, type RecordedAction } from './mailstore.js';
import { applySettings } from './settings.js';

export interface TestsuiteOptions {
  /** Every test block of the file is expected to fail. */
  readonly expectFail?: boolean;
}

export interface TestsuiteReport {
  /** Pigeonhole's report, to print on stdout. */
  readonly stdout: string;
  /** Errors of the test file itself (`FILE: line N: error: …`), for stderr. */
  readonly stderr: string;
  /** Whether the file passed (with expectFail: whether every block failed). */
  readonly passed: boolean;
  /** Test blocks started. */
  readonly tests: number;
  /** Failed blocks plus failures of the whole case. */
  readonly failures: number;
  /** Actions the runner could not perform, in order. */
  readonly recorded: readonly RecordedAction[];
}

/** The environment (RFC 5183) items Pigeonhole's test suite reports. */
const ENVIRONMENT: Readonly<Record<string, string>> = {
  name: 'Pigeonhole Sieve',
  location: 'MS',
  phase: 'during',
  domain: 'example.org',
  host: 'localhost',
};

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The setting that defines an external list (RFC 6134) for the runner; the list's URI follows. */
const EXTLISTS_SETTING = 'sieve_extlists_list:';

/**
 * The external lists the settings define: `sieve_extlists_list:<list URI>` = the members'
 * addresses, separated by commas (this runner's own setting; Pigeonhole 0.5 has no lists). Names
 * of settings are case-insensitive, so the URIs are compared lower-cased.
 */
function externalLists(settings: ReadonlyMap<string, string>): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  for (const [name, value] of settings) {
    if (!name.startsWith(EXTLISTS_SETTING)) continue;
    const members = value.split(',').flatMap((m) => (m.trim() === '' ? [] : [m.trim()]));
    lists.set(name.slice(EXTLISTS_SETTING.length), members);
  }
  return lists;
}

function errorLine(file: string, d: Diagnostic): string {
  return `${file}: line ${d.line}: error: ${d.message}`;
}

/** Runs one .svtest file. */
export function runTestsuiteFile(file: string, options: TestsuiteOptions = {}): TestsuiteReport {
  const out: string[] = [`Test case: ${file}:`, ''];
  const err: string[] = [];
  const dir = dirname(resolve(file));

  let tests = 0;
  let blockFailures = 0;
  let caseFailures = 0;
  let current: string | null = null;
  let aborted = false;
  const line = (verdict: string): void => {
    out.push(`${String(tests).padStart(2)}: Test '${current ?? ''}' ${verdict}`);
    current = null;
  };
  const caseFailed = (reason: string): void => {
    out.push(reason ? `XX: Test CASE FAILED: ${reason}` : 'XX: Test CASE FAILED');
    caseFailures++;
  };

  // Settings (test_config_set) take effect at test_config_reload, by rebuilding the engine.
  const settings = new Map<string, string>();
  let applied = applySettings(settings);
  const buildEngine = (): Engine =>
    new Engine({ extensions: [...ALL_EXTENSIONS, testsuite], limits: applied.limits });
  let engine = buildEngine();
  let applyHost = (): void => {};

  const store = new MailStore();
  const outbox = new Outbox();
  const recorded: RecordedAction[] = [];
  const metadata = new Map<string, string>();
  // A mailbox's metadata is found under the name the mail store reads (INBOX in any case).
  const metadataKey = (mailbox: string | null, annotation: string): string =>
    `${mailbox === null ? '' : mailboxKey(mailbox)}\0${annotation.toLowerCase()}`;

  const compileFile = (path: string): { program: Program | null; diagnostics: readonly Diagnostic[] } => {
    const source = readText(path);
    if (source === null) {
      const d: Diagnostic = {
        severity: 'error',
        code: 'io.read',
        message: `failed to open sieve script '${path}': not found`,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
      };
      return { program: null, diagnostics: [d] };
    }
    return engine.compile(source);
  };

  const suiteHost: TestsuiteHost = {
    path: dir,
    compile: (relative) => compileFile(join(dir, relative)),
    testStarted(name) {
      tests++;
      current = name;
    },
    testSucceeded() {
      line('SUCCEEDED');
    },
    testFailed(reason) {
      if (current === null) {
        // Outside a block the whole case fails (and ends).
        caseFailed(reason);
        aborted = true;
        return;
      }
      blockFailures++;
      line(reason ? `FAILED: ${reason}` : 'FAILED');
    },
    print: (text) => out.push(text.replace(/\n$/, '')),
    configSet(name, value) {
      settings.set(name.toLowerCase(), value);
    },
    configUnset(name) {
      settings.delete(name.toLowerCase());
    },
    configReload() {
      applied = applySettings(settings);
      engine = buildEngine();
      applyHost();
      return engine.limits;
    },
    mailboxCreate: (name) => store.create(name) || store.exists(name),
    mailboxDelete: (name) => store.delete(name),
    mailboxMessage: (mailbox, index) => store.message(mailbox, index),
    outboxMessage: (index) => outbox.messages[index] ?? null,
    outboxReset: () => outbox.reset(),
    execute: (input) => executeAction(input, store, outbox, recorded, settings),
    metadataSet(mailbox, annotation, value) {
      if (mailbox !== null && !store.exists(mailbox)) return false;
      metadata.set(metadataKey(mailbox, annotation), value);
      return true;
    },
  };

  const loadScript = (location: ScriptLocation, name: string): IncludedScript | null => {
    const folder = location === 'global' ? 'included-global' : 'included';
    const source = readText(join(dir, folder, `${name}.sieve`));
    return source === null ? null : { source, id: `${location}:${name}` };
  };

  // One host for the test file and the scripts it runs; test_config_reload replaces the
  // fields derived from the settings.
  const base: Record<string, unknown> = {
    environment: ENVIRONMENT,
    testsuite: suiteHost,
    user: USER,
    loadScript,
    mailboxExists: (name: string) => store.exists(name),
    metadata: (mailbox: string, annotation: string) => metadata.get(metadataKey(mailbox, annotation)) ?? null,
    serverMetadata: (annotation: string) => metadata.get(metadataKey(null, annotation)) ?? null,
    // vnd.dovecot.debug: as Pigeonhole's test suite logs it with its -l option.
    debugLog: (message: string) => out.push(`LOG: info: DEBUG: ${message}`),
  };
  const hostFields: Record<string, unknown> = { ...base };
  const host = hostFields as SieveHost;
  applyHost = () => {
    for (const k of Object.keys(hostFields)) delete hostFields[k];
    Object.assign(hostFields, base, applied.host);
    // The settings' items (vnd.dovecot.config.*) come on top of the suite's own.
    hostFields['environment'] = { ...ENVIRONMENT, ...(applied.host.environment ?? {}) };
    const lists = externalLists(settings);
    const members = (list: string): string[] | null => lists.get(list.toLowerCase()) ?? null;
    hostFields['listMembers'] = members;
    hostFields['listExists'] = (list: string) => members(list) !== null;
    hostFields['listContains'] = (list: string, value: string) =>
      members(list)?.some((m) => m.toLowerCase() === value.toLowerCase()) ?? null;
  };
  applyHost();

  const source = readText(file);
  if (source === null) {
    err.push(`${file}: error: cannot read the test file`);
    caseFailed('failed to compile testcase script');
  } else {
    const compiled = engine.compile(source);
    if (!compiled.program) {
      for (const d of compiled.diagnostics) if (d.severity === 'error') err.push(errorLine(file, d));
      caseFailed('failed to compile testcase script');
    } else {
      const message = parseTestMessage(DEFAULT_TEST_MESSAGE);
      const envelope: TestEnvelope = envelopeOf(message);
      const result = engine.run(compiled.program, { message, envelope, host });
      if (result.error && !aborted) {
        const at = result.error.line !== undefined ? ` line ${result.error.line}:` : '';
        err.push(`${file}:${at} error: ${result.error.message}`);
        caseFailed('test script execution aborted due to error');
      }
    }
  }

  const failures = blockFailures + caseFailures;
  let passed: boolean;
  out.push('');
  if (options.expectFail) {
    passed = caseFailures === 0 && tests > 0 && blockFailures === tests;
    out.push(
      passed
        ? `PASS: ${tests} tests failed as expected.`
        : caseFailures > 0
          ? `FAIL: ${failures} of ${tests} tests failed.`
          : `FAIL: ${tests - blockFailures} of ${tests} tests did not fail.`,
    );
  } else {
    passed = failures === 0;
    out.push(passed ? `PASS: ${tests} tests succeeded.` : `FAIL: ${failures} of ${tests} tests failed.`);
  }
  out.push('', '');
  return {
    stdout: out.join('\n'),
    stderr: err.length ? err.join('\n') + '\n' : '',
    passed,
    tests,
    failures,
    recorded,
  };
}
