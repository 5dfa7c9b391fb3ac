import { isUtf8 } from 'node:buffer';
import { decodeScript } from '../sieve/index.js';

/**
 * RFC 5804 §1.6 script names and the script text's UTF-8.
 */

/** RFC 5804 §1.6: servers MUST allow names of up to 128 Unicode characters. */
export const DEFAULT_MAX_NAME_CHARACTERS = 128;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * RFC 5804 §1.6: UTF-8, at least one character, Net-Unicode (RFC 5198 §2: NFC), and none of
 * U+0000–001F, U+007F–009F, U+2028, U+2029. A name longer than we allow is refused, never
 * truncated.
 *
 * A name that is not in NFC is refused rather than normalised: a normalised name would differ
 * from the octets the client sent, so the client's next GETSCRIPT/SETACTIVE with its own name, or
 * its comparison with LISTSCRIPTS, would miss; and two names the client keeps apart would
 * silently become one script. Refusing shows the client's bug where it happens.
 */
export function checkScriptName(bytes: Buffer, maxCharacters: number): Checked<string> {
  if (bytes.length === 0) return { ok: false, message: 'Script name is empty.' };
  if (!isUtf8(bytes)) return { ok: false, message: 'Script name is not valid UTF-8.' };
  const name = bytes.toString('utf8');
  let count = 0;
  for (const ch of name) {
    count++;
    const cp = ch.codePointAt(0)!;
    if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029) {
      const hex = cp.toString(16).toUpperCase().padStart(4, '0');
      return {
        ok: false,
        message: `Script name contains the control character U+${hex} at character ${count}; RFC 5804 §1.6 forbids it.`,
      };
    }
  }
  if (count > maxCharacters)
    return {
      ok: false,
      message: `Script name is ${count} characters long; at most ${maxCharacters} are allowed.`,
    };
  if (name.normalize('NFC') !== name)
    return {
      ok: false,
      message:
        'Script name is not in Unicode Normalization Form C (RFC 5804 §1.6, RFC 5198); send it normalized.',
    };
  return { ok: true, value: name };
}

/**
 * The script as text (RFC 5228 §2.1: UTF-8). Invalid UTF-8 is refused with its position, as the
 * engine reports a syntax error. The decoding is the CLI's, so `sievert check` and PUTSCRIPT
 * agree on what a script's bytes mean.
 */
export function checkScriptText(bytes: Buffer): Checked<string> {
  const d = decodeScript(bytes);
  if ('text' in d) return { ok: true, value: d.text };
  return {
    ok: false,
    message: `line ${d.line}: error: invalid UTF-8 at column ${d.column}; scripts are UTF-8 (RFC 5228 §2.1).`,
  };
}
