// Runs scripts with a host (the helpers in ../helpers.ts run without one).
import {
  compile,
  parseMessage,
  run,
  type ActionJson,
  type RunResult,
  type SieveHost,
} from '../../../../src/sieve/index.js';
import { DEFAULT_MESSAGE, program } from '../helpers.js';

export function runWithHost(source: string, host: SieveHost, message = DEFAULT_MESSAGE): RunResult {
  return run(program(source), {
    message: parseMessage(new TextEncoder().encode(message)),
    envelope: { from: 'sender@example.com', to: 'bob@example.org' },
    host,
  });
}

/** The actions of a run that must not fail. */
export function hostActions(source: string, host: SieveHost, message?: string): ActionJson[] {
  const r = runWithHost(source, host, message);
  if (r.error) throw new Error(`run-time error: ${r.error.message}`);
  return r.actions;
}

/** The warning codes of a script that compiles. */
export function warningCodes(source: string): string[] {
  return compile(source)
    .diagnostics.filter((d) => d.severity === 'warning')
    .map((d) => d.code);
}

/** Whether a one-test script takes the branch: files into "yes" when the test is true. */
export function branch(requires: string[], test: string, host: SieveHost = {}): boolean {
  const req = JSON.stringify(['fileinto', ...requires]);
  const acts = hostActions(`require ${req};\nif ${test} { fileinto "yes"; }\n`, host);
  return acts.some((a) => a.type === 'fileinto' && a.mailbox === 'yes');
}
