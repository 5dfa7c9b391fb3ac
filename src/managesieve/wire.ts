/**
 * What the server writes (RFC 5804 §4): strings as `quoted` or `literal-s2c` (`{n}` CRLF
 * octets), responses `OK` / `NO` / `BYE` with an optional response code and text, and the
 * capability block.
 */
import { isUtf8 } from 'node:buffer';

/** RFC 5804 §4 (erratum 2655): a quoted string holds at most 1024 octets between its quotes. */
export const MAX_QUOTED = 1024;

const CRLF = Buffer.from('\r\n', 'latin1');

/** RFC 5804 §4 QUOTED-CHAR: a quoted string holds no NUL, CR or LF, and at most MAX_QUOTED octets. */
export function quotable(bytes: Buffer): boolean {
  return bytes.length <= MAX_QUOTED && !bytes.includes(0) && !bytes.includes(10) && !bytes.includes(13);
}

/** `bytes` between quotes, `"` and `\\` escaped; the caller has checked `quotable`. */
export function quotedString(bytes: Buffer): Buffer {
  const escaped = bytes.toString('latin1').replace(/[\\"]/g, (c) => '\\' + c);
  return Buffer.from(`"${escaped}"`, 'latin1');
}

/** `{n}` (or `{n+}`, the client's non-synchronizing form) CRLF and the octets. */
export function literalString(bytes: Buffer, marker: '' | '+' = ''): Buffer {
  return Buffer.concat([Buffer.from(`{${bytes.length}${marker}}\r\n`, 'latin1'), bytes]);
}

/** A string as the server sends it: quoted when it may be, otherwise a `{n}` literal. */
export function sieveString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  // Quoted strings are UTF-8 only (a client's bytes echoed back in a TAG may not be).
  return quotable(bytes) && (typeof value === 'string' || isUtf8(bytes))
    ? quotedString(bytes)
    : literalString(bytes);
}

export type Status = 'OK' | 'NO' | 'BYE';

/** A response code: a bare name (`QUOTA/MAXSIZE`) or a name with its string (`TAG "x"`, `SASL "…"`). */
export type ResponseCode = string | { name: string; value: string | Buffer };

/** One response line (RFC 5804 §4 `response-oknobye`), with its CRLF. */
export function response(status: Status, code?: ResponseCode, text?: string): Buffer {
  const parts: Buffer[] = [Buffer.from(status, 'latin1')];
  if (code !== undefined) {
    if (typeof code === 'string') parts.push(Buffer.from(` (${code})`, 'latin1'));
    else
      parts.push(
        Buffer.from(` (${code.name} `, 'latin1'),
        sieveString(code.value),
        Buffer.from(')', 'latin1'),
      );
  }
  if (text !== undefined) parts.push(Buffer.from(' ', 'latin1'), sieveString(text));
  parts.push(CRLF);
  return Buffer.concat(parts);
}

/** A data line of strings (a capability, a LISTSCRIPTS entry), with an optional trailing atom. */
export function dataLine(strings: readonly (string | Buffer)[], atom?: string): Buffer {
  const parts: Buffer[] = [];
  strings.forEach((s, i) => {
    if (i > 0) parts.push(Buffer.from(' ', 'latin1'));
    parts.push(sieveString(s));
  });
  if (atom !== undefined) parts.push(Buffer.from(` ${atom}`, 'latin1'));
  parts.push(CRLF);
  return Buffer.concat(parts);
}

/** RFC 5804 §1.7: one line per capability, its name and optional value (the caller adds the OK). */
export function capabilityBlock(caps: readonly (readonly [string, string?])[]): Buffer {
  return Buffer.concat(caps.map(([name, value]) => dataLine(value === undefined ? [name] : [name, value])));
}
