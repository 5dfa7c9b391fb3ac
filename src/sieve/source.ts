// Script source as octets (a file, a ManageSieve literal): RFC 5228 §1.1 requires UTF-8.

/** Decodes a script's octets as UTF-8; returns the text or the position of the first invalid byte. */
export function decodeScript(bytes: Uint8Array): { text: string } | { line: number; column: number } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    // Find the first invalid sequence to report where it is.
    let line = 1;
    let lineStart = 0;
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i]!;
      const n =
        b < 0x80
          ? 1
          : b >= 0xc2 && b <= 0xdf
            ? 2
            : b >= 0xe0 && b <= 0xef
              ? 3
              : b >= 0xf0 && b <= 0xf4
                ? 4
                : 0;
      if (n === 0 || i + n > bytes.length) break;
      let ok = true;
      for (let k = 1; k < n; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) ok = false;
      if (ok && n > 1) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + n));
        } catch {
          ok = false;
        }
      }
      if (!ok) break;
      if (b === 0x0a) {
        line++;
        lineStart = i + 1;
      }
      i += n;
    }
    const column = new TextDecoder().decode(bytes.subarray(lineStart, i)).length + 1;
    return { line, column };
  }
}
