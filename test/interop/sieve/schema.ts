// The result schema both engines are compared in: the JSON that `sievert test --json` prints
// (issue 2, "The `sievert` command"), reduced to what the two engines can agree on.

/** One action of a result, in the `sievert test --json` schema (base RFC 5228 actions). */
export type Action =
  | { type: 'keep'; flags: string[] }
  | { type: 'fileinto'; mailbox: string; flags: string[]; copy: boolean; create: boolean }
  | { type: 'redirect'; address: string; copy: boolean }
  | { type: 'discard' }
  | { type: 'reject'; reason: string }
  // Extensions (issue 4), reduced to what both engines report: ereject (RFC 5429), vacation
  // (RFC 5230: the period and the text), notify (RFC 5435: importance and mailto recipients,
  // sorted) and duplicate tracking (RFC 7352: one entry however many tests ran).
  | { type: 'ereject'; reason: string }
  | { type: 'vacation'; seconds: number; reason: string }
  | { type: 'notify'; importance: string; recipients: string[] }
  | { type: 'duplicate' };

export type ErrorKind = 'compile' | 'runtime';

/** What one engine did with one case, as reported (messages kept for diagnosis). */
export interface EngineResult {
  actions: Action[];
  error: { kind: ErrorKind; message: string } | null;
  /** Lines of the compile errors, when the engine reports them. */
  errorLines: number[];
  /**
   * False when the peer reports its actions in an order that is not the execution order
   * (dovecot-lda logs stores before redirects); such results compare as sets.
   */
  ordered?: boolean;
}

/**
 * The form results are compared in. Compile errors compare as `{"error": {"kind": "compile"}}`
 * (the engines word their messages differently); run-time errors keep the actions performed
 * instead (the implicit keep) but drop the message.
 */
export type Comparable =
  { error: { kind: 'compile' } } | { actions: Action[]; error: { kind: 'runtime' } | null };

export function comparable(result: EngineResult, inOrder = true): Comparable {
  if (result.error?.kind === 'compile') return { error: { kind: 'compile' } };
  const actions = inOrder ? result.actions : [...result.actions].sort(byJson);
  return { actions, error: result.error === null ? null : { kind: 'runtime' } };
}

function byJson(a: Action, b: Action): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const keep = (): Action => ({ type: 'keep', flags: [] });
export const fileinto = (mailbox: string): Action => ({
  type: 'fileinto',
  mailbox,
  flags: [],
  copy: false,
  create: false,
});
export const redirect = (address: string): Action => ({ type: 'redirect', address, copy: false });
export const discard = (): Action => ({ type: 'discard' });

/** RFC 3501 §5.1: the mailbox name INBOX is case-insensitive; storing there is a keep. */
export function isInbox(mailbox: string): boolean {
  return mailbox.toUpperCase() === 'INBOX';
}

/**
 * Applies the schema's rules to a list of actions as a peer reports them: `discard` is
 * listed only when the message ends up nowhere (RFC 5228 §4.4: discard only cancels the
 * implicit keep; it does not undo a keep, fileinto or redirect), at most once.
 */
export function normalizeActions(actions: Action[]): Action[] {
  const delivers = actions.some((a) => a.type !== 'discard');
  const out: Action[] = [];
  for (const a of actions) {
    if (a.type === 'discard' && (delivers || out.some((b) => b.type === 'discard'))) continue;
    out.push(a);
  }
  return out;
}

/** Parses one line of `sievert test --json` output, checking its shape. */
export function parseSievertJson(text: string): EngineResult {
  const value: unknown = JSON.parse(text);
  if (!isRecord(value) || !Array.isArray(value.actions)) {
    throw new Error(`sievert printed no {"actions": [...]} object: ${text}`);
  }
  // RFC 7352: duplicate tracking compares as one entry, however many duplicate tests ran.
  // RFC 5293, RFC 5703: sieve-test does not list message changes ("edit"); the cases observe
  // them through the tests that follow the change instead.
  const actions = value.actions
    .filter((a: unknown) => !(isRecord(a) && a.type === 'edit'))
    .map((a: unknown) => toAction(a, text))
    .filter((a, i, all) => a.type !== 'duplicate' || all.findIndex((b) => b.type === 'duplicate') === i);
  const err = value.error;
  if (err === null || err === undefined) return { actions, error: null, errorLines: [] };
  if (isRecord(err) && (err.kind === 'compile' || err.kind === 'runtime')) {
    const lines = new Set<number>();
    if (Array.isArray(err.diagnostics)) {
      for (const d of err.diagnostics as unknown[]) {
        if (isRecord(d) && d.severity === 'error' && typeof d.line === 'number') lines.add(d.line);
      }
    }
    return {
      actions,
      error: { kind: err.kind, message: typeof err.message === 'string' ? err.message : '' },
      errorLines: [...lines].sort((a, b) => a - b),
    };
  }
  throw new Error(`sievert printed an error of unknown shape: ${text}`);
}

function toAction(a: unknown, text: string): Action {
  if (!isRecord(a) || typeof a.type !== 'string') throw new Error(`malformed action in ${text}`);
  const flags = Array.isArray(a.flags) ? a.flags.map(String) : [];
  switch (a.type) {
    case 'keep':
      return { type: 'keep', flags };
    case 'fileinto':
      return {
        type: 'fileinto',
        mailbox: String(a.mailbox),
        flags,
        copy: a.copy === true,
        create: a.create === true,
      };
    case 'redirect':
      return { type: 'redirect', address: String(a.address), copy: a.copy === true };
    case 'discard':
      return { type: 'discard' };
    case 'reject':
      return { type: 'reject', reason: String(a.reason) };
    case 'ereject':
      return { type: 'ereject', reason: String(a.reason) };
    case 'vacation':
      return { type: 'vacation', seconds: Number(a.seconds), reason: String(a.reason) };
    case 'notify': {
      const m = isRecord(a.mailto) ? a.mailto : {};
      const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
      return {
        type: 'notify',
        importance: String(a.importance),
        recipients: [...list(m.to), ...list(m.cc)].sort(),
      };
    }
    case 'duplicate':
      return { type: 'duplicate' };
    default:
      throw new Error(`action type ${a.type} is outside the base language: ${text}`);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
