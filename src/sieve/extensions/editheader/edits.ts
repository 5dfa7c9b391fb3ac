// How extensions change the message (editheader, replace, enclose): the change is applied to the
// message octets, the run goes on with the edited message (later tests see it, RFC 5293 §6,
// RFC 5703 §5–6), and the result carries the change for delivery.
import type { Span } from '../../diagnostics.js';
import { applyEdit, type MessageEdit } from '../../message/edit.js';
import { parseMessage } from '../../message/index.js';
import type { MimeLimits, MimeTree } from '../../message/mime.js';
import { parseMime } from '../../message/mime.js';
import { actionDescriptions, SieveRuntimeError, type Action, type ExecutionContext } from '../../runtime.js';

declare module '../../runtime.js' {
  interface ActionJsonTypes {
    /**
     * Every change the script made to the message, in order (one action per result, at the place
     * of the first change). Each store or redirect carries the changes made before it ran (its
     * `editCount`, MessageState in runtime.ts), the implicit keep all of them; delivery and the
     * test suite apply them through editedMessage (outgoing.ts). `enclose` changes are not
     * applied to redirected copies (RFC 5703 §6).
     */
    edit: { edits: MessageEdit[] };
  }
}

export type { MessageEdit } from '../../message/edit.js';

export function mimeLimits(ctx: ExecutionContext): MimeLimits {
  return { maxDepth: ctx.limits.maxMimeDepth, maxParts: ctx.limits.maxMimeParts };
}

/**
 * The MIME structure of the message as it is now, or null when the message view offers neither a
 * structure nor its octets (then body and MIME tests see no parts).
 */
export function messageTree(ctx: ExecutionContext): MimeTree | null {
  const m = ctx.message;
  if (m.mime) return m.mime(mimeLimits(ctx));
  if (m.source) return parseMime(m.source, (h) => parseMessage(h), mimeLimits(ctx));
  return null;
}

function editAction(edits: MessageEdit[]): Action {
  return {
    json: { type: 'edit', edits },
    cancelsImplicitKeep: false,
    delivers: false,
    key: 'edit',
    merge: (later) => editAction([...edits, ...(later.json.type === 'edit' ? later.json.edits : [])]),
  };
}

/** Applies a change: later tests see the edited message, and the result records the change. */
export function editMessage(ctx: ExecutionContext, edit: MessageEdit, span: Span | undefined): void {
  const message = ctx.message;
  const source = message.source;
  if (source === undefined) {
    throw new SieveRuntimeError('this message cannot be changed: its octets are not available', span);
  }
  const bytes = applyEdit(source, edit, mimeLimits(ctx));
  if (bytes === source) return;
  // The octets may hold only the header block: the size keeps counting the body not read.
  ctx.message = parseMessage(bytes, { size: Math.max(0, message.size + bytes.length - source.length) });
  // The stores and redirects so far keep the message as it was (RFC 5293 §6).
  ctx.result.messageChanging();
  ctx.result.add(editAction([edit]), span);
}

function describe(e: MessageEdit): string {
  switch (e.op) {
    case 'addheader':
      return `add header ${e.name}${e.last ? ' (last)' : ''}: ${e.value}`;
    case 'deleteheader':
      return `delete header ${e.name} (occurrence ${e.occurrences.join(', ')})`;
    case 'replace':
      return `replace ${e.part === 0 ? 'the message body' : `MIME part ${e.part}`}${e.mime ? ' (MIME entity)' : ''}`;
    case 'enclose':
      return `enclose the message${e.subject !== null ? ` (subject: ${e.subject})` : ''}`;
  }
}

actionDescriptions.set('edit', (a) =>
  a.type === 'edit' ? `edit message: ${a.edits.map(describe).join('; ')}` : a.type,
);
