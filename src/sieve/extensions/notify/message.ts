// The text of a deprecated notify (draft-martin-sieve-notify-01 §3.6): the :message string with
// its substitutions, "$from$: $subject$" when there is none.
import { partContent } from '../../message/mime.js';
import type { ExecutionContext } from '../../runtime.js';
import { messageTree } from '../editheader/edits.js';
import { truncateValue } from '../variables/index.js';

export const DEFAULT_MESSAGE = '$from$: $subject$';

/** `$text$` or `$text[n]$` (the first n characters; 0 means all), case-insensitively. */
const TEXT = /\$text(?:\[(\d*)\])?\$/iy;

/** The substitutions other than $text$, by lower-case name. */
const FIELDS: Readonly<Record<string, (ctx: ExecutionContext) => string>> = {
  $from$: (ctx) => ctx.message.headers('from')[0] ?? '',
  '$env-from$': (ctx) => ctx.envelope.from ?? '',
  $subject$: (ctx) => ctx.message.headers('subject')[0] ?? '',
};
const FIELD = /\$(?:from|env-from|subject)\$/iy;

/** The decoded text of the message's text parts, in order (what `$text$` stands for). */
function bodyText(ctx: ExecutionContext): string {
  const tree = messageTree(ctx);
  if (!tree) return '';
  let out = '';
  for (const part of tree.parts) {
    if (part.type.type === 'text' && part.children.length === 0) out += partContent(tree, part);
  }
  return out;
}

/** The first n characters (code points) of s; all of it when n is 0 or s is not longer. */
function firstChars(s: string, n: number): string {
  if (n === 0) return s;
  // n code points take at most 2n UTF-16 code units.
  const chars = [...s.slice(0, 2 * n)];
  return chars.length <= n && s.length <= 2 * n ? s : chars.slice(0, n).join('');
}

/**
 * Expands the substitutions of `format`: $from$ and $subject$ (the first such field, decoded),
 * $env-from$ (the envelope sender), $text$ and $text[n]$. Anything else is copied as written;
 * the result is cut to the string length limit (a message body can be large).
 */
export function notificationText(format: string, ctx: ExecutionContext): string {
  let out = '';
  let text: string | null = null;
  let i = 0;
  while (i < format.length && out.length <= ctx.limits.maxStringLength) {
    FIELD.lastIndex = i;
    TEXT.lastIndex = i;
    const field = FIELD.exec(format);
    const m = field ? null : TEXT.exec(format);
    if (field) {
      out += FIELDS[field[0].toLowerCase()]!(ctx);
      i = FIELD.lastIndex;
    } else if (m) {
      text ??= bodyText(ctx);
      out += firstChars(text, Number(m[1] || '0'));
      i = TEXT.lastIndex;
    } else {
      // Plain text up to the next "$" (a "$" that starts no substitution is text too).
      const next = format.indexOf('$', i + 1);
      const end = next < 0 ? format.length : next;
      out += format.slice(i, end);
      i = end;
    }
  }
  return truncateValue(out, ctx.limits.maxStringLength);
}
