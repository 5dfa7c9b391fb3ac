/**
 * The message octets of DATA and BDAT, decoded as they arrive: dot-unstuffing and the end of
 * DATA (RFC 5321 §4.5.2, §4.1.1.4), line ends made CRLF, a size limit past which octets are
 * counted but not kept, and NUL detection.
 */

const EMPTY = Buffer.alloc(0);
const CR = 13;
const LF = 10;
const DOT = 46;
/** The most allocated at once from a client's SIZE= (the buffer grows past it as octets arrive). */
const HINT_MAX = 8 * 1024 * 1024;

/** The message as received so far, kept up to `limit` octets; past it only counted. */
export class MessageBuffer {
  private store: Buffer;
  /** Octets of the message, counting those past the limit that were not kept. */
  size = 0;
  /** A NUL octet was seen (in the kept part). */
  nul = false;

  /** `hint`: the size the client declared (SIZE=), to allocate once when it is honest. */
  constructor(
    private readonly limit: number,
    hint = 0,
  ) {
    // A declared size is only a hint: a client declaring the maximum and sending little costs
    // at most HINT_MAX up front.
    this.store = Buffer.allocUnsafe(Math.min(limit, Math.max(Math.min(hint + 2, HINT_MAX), 16 * 1024)));
  }

  get overflow(): boolean {
    return this.size > this.limit;
  }

  append(src: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    const next = this.size + n;
    if (next > this.limit) {
      // Past the limit: stop keeping (and let go of) what was kept; the message is refused.
      this.store = EMPTY;
    } else {
      if (!this.nul && src.subarray(start, end).includes(0)) this.nul = true;
      if (next > this.store.length) {
        const grown = Buffer.allocUnsafe(Math.min(this.limit, Math.max(next, this.store.length * 2)));
        this.store.copy(grown, 0, 0, this.size);
        this.store = grown;
      }
      src.copy(this.store, this.size, start, end);
    }
    this.size = next;
  }

  /** The message; only meaningful when not `overflow`. */
  message(): Buffer {
    return this.store.subarray(0, this.size);
  }
}

const CRLF_BYTES = Buffer.from('\r\n');

const enum State {
  /** At the start of a line. */
  LineStart,
  /** A line began with "." (removed: dot-unstuffing). */
  Dot,
  /** A line began with "." CR. */
  DotCr,
  /** Inside a line. */
  Body,
}

/**
 * Decodes message octets into a MessageBuffer, with every line end written as CRLF: a bare LF
 * becomes CRLF (clients and MTAs that write LF alone are common); a CR not followed by LF is
 * kept as it is.
 *
 * With `dotted` (DATA), a leading "." of a line is removed, and the data ends at a line that is
 * only "." after a line that ended with CRLF, the line "." itself ending with CRLF: CRLF "." CRLF
 * exactly. LF "." LF, CRLF "." LF and LF "." CRLF end nothing: they would let a message smuggle
 * a second one past a server that reads ends differently (SMTP smuggling, CVE-2023-51764,
 * -51765, -51766; Dovecot 2.3.19's LMTP still ends DATA at LF "." LF). Such a "." line is kept
 * as an empty line. Without `dotted` (BDAT) octets are only normalised, across chunk boundaries.
 */
export class MessageDecoder {
  private state = State.LineStart;
  /** The line before the current one ended with CRLF (or there was none). */
  private cleanStart = true;
  /** The last octet written inside the current line was CR. */
  private lastCr = false;

  constructor(
    readonly out: MessageBuffer,
    private readonly dotted: boolean,
  ) {}

  /**
   * Decodes `b`. Returns how many octets were used when the end of DATA was among them (the
   * octets after it are the next commands; a decoder decodes one message), or -1 when all were
   * used.
   */
  push(b: Buffer): number {
    const out = this.out;
    const len = b.length;
    let i = 0;
    while (i < len) {
      switch (this.state) {
        case State.LineStart:
          if (this.dotted && b[i] === DOT) {
            i++;
            this.state = State.Dot;
          } else {
            this.state = State.Body;
          }
          break;
        case State.Dot:
          if (b[i] === CR) {
            i++;
            this.state = State.DotCr;
          } else if (b[i] === LF) {
            i++;
            out.append(CRLF_BYTES, 0, 2);
            this.cleanStart = false;
            this.state = State.LineStart;
          } else {
            this.state = State.Body;
          }
          break;
        case State.DotCr:
          if (b[i] === LF) {
            i++;
            if (this.cleanStart) return i;
            out.append(CRLF_BYTES, 0, 2);
            this.cleanStart = true;
            this.state = State.LineStart;
          } else {
            out.append(CRLF_BYTES, 0, 1);
            this.lastCr = true;
            this.state = State.Body;
          }
          break;
        case State.Body: {
          const lf = b.indexOf(LF, i);
          if (lf < 0) {
            out.append(b, i, len);
            this.lastCr = b[len - 1] === CR;
            i = len;
            break;
          }
          const hadCr = lf > i ? b[lf - 1] === CR : this.lastCr;
          out.append(b, i, lf);
          if (hadCr) out.append(CRLF_BYTES, 1, 2);
          else out.append(CRLF_BYTES, 0, 2);
          this.cleanStart = hadCr;
          this.lastCr = false;
          this.state = State.LineStart;
          i = lf + 1;
          break;
        }
      }
    }
    return -1;
  }
}
