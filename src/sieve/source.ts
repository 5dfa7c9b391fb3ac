// Script source as octets (a file, a ManageSieve literal): RFC 5228 §1.1 requires UTF-8.
import { sequenceAt } from './octets.js';

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
      const n = sequenceAt(bytes, i);
      if (n === 0) break;
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
      i += n;
    }
    const column = new TextDecoder().decode(bytes.subarray(lineStart, i)).length + 1;
    return { line, column };
  }
}
