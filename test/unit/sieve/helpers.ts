import {
  compile,
  parseMessage,
  run,
  type ActionJson,
  type Diagnostic,
  type RunResult,
} from '../../../src/sieve/index.js';

/** Compiles a script that must compile. */
export function program(source: string) {
  const r = compile(source);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.program)
    throw new Error(
      `script does not compile: ${errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('; ')}`,
    );
  return r.program;
}

/** The error codes of a script that must not compile, in order. */
export function errorCodes(source: string): string[] {
  return errors(source).map((d) => d.code);
}

export function errors(source: string): Diagnostic[] {
  return compile(source).diagnostics.filter((d) => d.severity === 'error');
}

export const DEFAULT_MESSAGE = [
  'From: "Alice Example" <alice@example.com>',
  'To: bob@example.org, "Carol" <carol@example.net>',
  'Subject: Hello World',
  'X-Spam: yes',
  '',
  'Body text',
  '',
].join('\r\n');

export function runScript(
  source: string,
  message = DEFAULT_MESSAGE,
  envelope: { from: string | null; to: string } = { from: 'sender@example.com', to: 'bob@example.org' },
): RunResult {
  return run(program(source), { message: parseMessage(new TextEncoder().encode(message)), envelope });
}

export function actions(
  source: string,
  message?: string,
  envelope?: { from: string | null; to: string },
): ActionJson[] {
  const r = runScript(source, message, envelope);
  if (r.error) throw new Error(`run-time error: ${r.error.message}`);
  return r.actions;
}

export const KEEP: ActionJson = { type: 'keep', flags: [] };
export const fileinto = (mailbox: string): ActionJson => ({
  type: 'fileinto',
  mailbox,
  flags: [],
  copy: false,
  create: false,
});
