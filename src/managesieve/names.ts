import { isUtf8 } from 'node:buffer';
import { decodeScript, type Diagnostic, type Engine } from '../sieve/index.js';

/**
 * RFC 5804 §1.6 script names, and the checks a script passes before it is stored.
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

/** What the PUTSCRIPT checks make of a script's octets; each host words its own answer. */
export type ScriptCheck =
  | { kind: 'empty' }
  | { kind: 'not-utf8'; line: number; column: number }
  | { kind: 'checked'; diagnostics: readonly Diagnostic[] };

/**
 * Checks a script as PUTSCRIPT and CHECKSCRIPT do (RFC 5804 §2.6, §2.12), for every way a script
 * is stored (ManageSieve, the web editor, `sievert script put`): refused when empty, then its
 * UTF-8 (RFC 5228 §2.1, decoded as `sievert check` decodes it, with the first bad octet's
 * line and column), then the engine's diagnostics. A script with an error diagnostic is refused.
 */
export function checkScriptBytes(bytes: Buffer, engine: Engine): ScriptCheck {
  // RFC 5804 §2.6: "A script of zero length SHOULD be disallowed." It is valid Sieve
  // (RFC 5228 §8.2 `commands = *command`) but only a client error produces it (a failed read,
  // a cleared editor): stored and activated, it would silently turn filtering off.
  if (bytes.length === 0) return { kind: 'empty' };
  const decoded = decodeScript(bytes);
  if (!('text' in decoded)) return { kind: 'not-utf8', line: decoded.line, column: decoded.column };
  // Checked, not compiled: the program is built when a delivery runs the script.
  return { kind: 'checked', diagnostics: engine.check(decoded.text) };
}
