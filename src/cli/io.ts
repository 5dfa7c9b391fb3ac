// Reading scripts and messages from disk for the CLI.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

export function readScriptFile(path: string): Buffer {
  return readFileSync(path);
}

/** Most header blocks fit in the first read (a page); larger ones read on, growing the buffer. */
const FIRST = 4096;
const CHUNK = 16 * 1024;

/**
 * Reads a message for header-only processing: the first page, extended until the end of the
 * header block is in the buffer. Returns the bytes read and the full size of the file, which is
 * `knownSize` when the caller has it (a Maildir `S=` field) and otherwise costs an fstat only for
 * files longer than the first read.
 */
export class HeaderReader {
  private buf = Buffer.allocUnsafe(CHUNK);

  read(path: string, full: boolean, knownSize?: number): { bytes: Uint8Array; size: number } {
    const fd = openSync(path, 'r');
    try {
      if (full) {
        const size = fstatSync(fd).size;
        if (this.buf.length < size) this.buf = Buffer.allocUnsafe(size);
        let got = 0;
        while (got < size) {
          const n = readSync(fd, this.buf, got, size - got, got);
          if (n === 0) break;
          got += n;
        }
        return { bytes: this.buf.subarray(0, got), size: got };
      }
      let got = readSync(fd, this.buf, 0, FIRST, 0);
      if (got < FIRST) return { bytes: this.buf.subarray(0, headerEnd(this.buf, got)), size: got };
      let end = headerEnd(this.buf, got);
      if (end < got) return { bytes: this.buf.subarray(0, end), size: knownSize ?? fstatSync(fd).size };
      const size = fstatSync(fd).size;
      for (;;) {
        if (got >= size) return { bytes: this.buf.subarray(0, end), size };
        if (got === this.buf.length) {
          const bigger = Buffer.allocUnsafe(Math.min(size, this.buf.length * 2));
          this.buf.copy(bigger, 0, 0, got);
          this.buf = bigger;
        }
        const n = readSync(fd, this.buf, got, this.buf.length - got, got);
        if (n === 0) return { bytes: this.buf.subarray(0, end), size };
        got += n;
        end = headerEnd(this.buf, got);
        if (end < got) return { bytes: this.buf.subarray(0, end), size };
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** The `S=<size>` field of a Maildir file name (Dovecot, Courier), or undefined. */
export function maildirSize(name: string): number | undefined {
  const m = /,S=(\d{1,15})(?=[,:]|$)/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The offset just past the empty line that ends the header block, or `len` if not found. */
export function headerEnd(b: Uint8Array, len: number): number {
  for (let i = 0; i < len; i++) {
    if (b[i] !== 0x0a) continue;
    if (b[i + 1] === 0x0a) return Math.min(len, i + 2);
    if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) return Math.min(len, i + 3);
  }
  return len;
}
