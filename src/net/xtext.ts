/** RFC 3461 §4 xtext, as XCLIENT attribute values carry it (Postfix XCLIENT_README). */
export function encodeXtext(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    // xchar is "!" through "~" except "+" and "="
    if (byte >= 0x21 && byte <= 0x7e && byte !== 0x2b && byte !== 0x3d) out += String.fromCharCode(byte);
    else out += '+' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function decodeXtext(text: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2b) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c >= 0x21 && c <= 0x7e && c !== 0x3d) {
      bytes.push(c);
    } else {
      return undefined;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * An `XCLIENT` command line with only the attributes the backend listed (Postfix and Dovecot
 * refuse the whole command over one unknown attribute). Returns undefined when none is left.
 */
export function buildXclient(
  attributes: Record<string, string | undefined>,
  offered: readonly string[],
): string | undefined {
  const allowed = new Set(offered.map((a) => a.toUpperCase()));
  const parts: string[] = [];
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || !allowed.has(name.toUpperCase())) continue;
    parts.push(`${name.toUpperCase()}=${encodeXtext(value)}`);
  }
  return parts.length === 0 ? undefined : `XCLIENT ${parts.join(' ')}`;
}
