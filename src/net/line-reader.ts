import type { Duplex } from 'node:stream';

/** A protocol error the session answers cleanly (BAD / -ERR / 500) before closing or continuing. */
export class ProtocolError extends Error {
  /** The command's tag (IMAP), when the reader had seen one: the answer is then tagged. */
  tag?: string;
  /** A literal ({n} or {n+}) was refused: its octets may already be on their way. */
  refusedLiteral = false;

  constructor(
    message: string,
    readonly fatal: boolean,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export class LineTooLongError extends ProtocolError {
  constructor(limit: number) {
    super(`line longer than ${limit} bytes`, true);
    this.name = 'LineTooLongError';
  }
}

export class ConnectionClosedError extends Error {
  constructor(message = 'connection closed') {
    super(message);
    this.name = 'ConnectionClosedError';
  }
}

const EMPTY = Buffer.alloc(0);

export interface LineReaderOptions {
  /** Bytes already read from the stream by an earlier reader (a PROXY header parser). */
  initial?: Buffer;
  /**
   * Turns the reader's errors (closed connection, line too long) into the owner's own, so an
   * owner can hand out the reader's promises as they are instead of wrapping each read.
   */
  wrapError?: (e: Error) => Error;
  /**
   * The owner hands the reads over with `feed()` (a socket read into reused buffers), instead
   * of the reader listening for `data`. End, close and errors still come from the stream, and
   * pausing the stream still stops its reads.
   */
  fed?: boolean;
}

/**
 * Reads CRLF-terminated lines and exact byte counts (literals) from a stream, as a stream of
 * lines rather than of reads: a line may arrive split across packets, several lines may arrive
 * in one packet. Lines are returned as binary strings (one char per byte, `latin1`), so that
 * credentials replayed to a backend keep their exact bytes.
 *
 * Buffering is bounded: a line longer than `maxLine` is an error, and the socket is paused
 * while more than `maxLine` bytes wait unread.
 */
export class LineReader {
  /**
   * Received bytes live in `store[start, end)`. The store grows by doubling and is compacted
   * in place, so a peer sending one byte per packet costs linear time, not quadratic.
   */
  private store: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  /** How far the live bytes have been searched for LF, so each byte is scanned once. */
  private scanned = 0;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private detached = false;

  private readonly wrapError: (e: Error) => Error;

  constructor(
    readonly stream: Duplex,
    readonly maxLine = 65536,
    options: LineReaderOptions = {},
  ) {
    this.wrapError = options.wrapError ?? ((e) => e);
    if (options.initial) this.append(options.initial, options.initial.length);
    if (!options.fed) stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onError);
  }

  private get buf(): Buffer {
    return this.store.subarray(this.start, this.end);
  }

  /** Appends `chunk[0, length)`. */
  private append(chunk: Buffer, length: number): void {
    const live = this.end - this.start;
    if (this.end + length > this.store.length) {
      if (live + length <= this.store.length) {
        this.store.copy(this.store, 0, this.start, this.end);
      } else {
        const next = Buffer.allocUnsafe(Math.max(1024, this.store.length * 2, live + length));
        this.store.copy(next, 0, this.start, this.end);
        this.store = next;
      }
      this.start = 0;
      this.end = live;
    }
    // A line or two is copied byte by byte: Buffer#copy of part of a chunk makes a view first.
    if (length <= 64) for (let i = 0; i < length; i++) this.store[this.end + i] = chunk[i]!;
    else chunk.copy(this.store, this.end, 0, length);
    this.end += length;
  }

  private onData = (chunk: Buffer): void => {
    this.feed(chunk, chunk.length);
  };

  /**
   * Takes `chunk[0, length)` as read from the stream: the way in of a reader made with `fed`,
   * whose owner reads the socket itself. The bytes are copied; the chunk may be reused. False
   * once the reader is detached (the bytes were not taken).
   */
  feed(chunk: Buffer, length: number): boolean {
    if (this.detached) return false;
    this.append(chunk, length);
    if (this.end - this.start > this.maxLine) this.stream.pause();
    this.notify();
    return true;
  }

  private onEnd = (): void => {
    this.ended = true;
    this.notify();
  };

  private onError = (err: Error): void => {
    this.failure = err;
    this.ended = true;
    this.notify();
  };

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Waits for the next read (not an async function: one promise, no frame of its own). */
  private more(): Promise<void> {
    if (this.failure) return Promise.reject(this.wrapError(new ConnectionClosedError(this.failure.message)));
    if (this.ended) return Promise.reject(this.wrapError(new ConnectionClosedError()));
    if (this.detached) return Promise.reject(new Error('LineReader used after detach()'));
    if (this.stream.isPaused()) this.stream.resume();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /** Bytes received but not yet consumed. */
  get pending(): number {
    return this.end - this.start;
  }

  /** The next line without its CRLF (a bare LF is accepted as a terminator too). */
  async readLine(): Promise<string> {
    // Bounded: each pass either returns, throws, or waits for more bytes, and the buffer
    // may hold at most maxLine bytes without an LF before we throw.
    // Searched in the store itself (no subarray per call); bytes past `end` are stale.
    for (;;) {
      const start = this.start;
      const at = this.store.indexOf(10, start + this.scanned);
      if (at >= 0 && at < this.end) {
        const lf = at - start;
        const end = lf > 0 && this.store[at - 1] === 13 ? lf - 1 : lf;
        if (end > this.maxLine) throw this.wrapError(new LineTooLongError(this.maxLine));
        const line = this.store.toString('latin1', start, start + end);
        this.consume(lf + 1);
        return line;
      }
      this.scanned = this.end - start;
      // A CR at the end may be the first half of the line's CRLF: it does not count towards
      // the limit, or a line of exactly maxLine octets would pass or fail by where packets split.
      const held = this.store[this.end - 1] === 13 ? this.scanned - 1 : this.scanned;
      if (held > this.maxLine) throw this.wrapError(new LineTooLongError(this.maxLine));
      await this.more();
    }
  }

  /** Exactly `n` bytes (a literal's body). The caller has already checked `n` against its cap. */
  async readBytes(n: number): Promise<Buffer> {
    for (;;) {
      if (this.pending >= n) {
        const out = Buffer.from(this.buf.subarray(0, n));
        this.consume(n);
        return out;
      }
      if (this.pending > this.maxLine) this.stream.resume();
      await this.more();
    }
  }

  /**
   * The received bytes not yet consumed (at least one), left unconsumed: for a parser that scans
   * bytes itself (SMTP DATA, where only CRLF.CRLF ends the data) and then consumes what it used
   * with skipBytes(). The view is valid until the next await: later reads may move the bytes.
   */
  async peekBytes(): Promise<Buffer> {
    while (this.pending === 0) await this.more();
    return this.buf;
  }

  /**
   * Discards exactly `n` bytes as they arrive (a refused literal's body), holding no more than
   * what one read delivers: a client announcing a huge literal cannot make us buffer it.
   */
  async skipBytes(n: number): Promise<void> {
    let left = n;
    for (;;) {
      const take = Math.min(left, this.pending);
      if (take > 0) {
        this.consume(take);
        left -= take;
      }
      if (left === 0) return;
      await this.more();
    }
  }

  private consume(n: number): void {
    this.start += n;
    this.scanned = 0;
    if (this.start === this.end) this.start = this.end = 0;
  }

  /**
   * Stops reading and hands back whatever was received but not consumed. The stream is left
   * paused with no data listener, ready to be piped or wrapped in TLS.
   *
   * `handOver`: the stream is left as it is (flowing), for a caller that adds its own `data`
   * listener before returning to the event loop (nothing can be emitted in between). A pause
   * and resume would cost a read stop and restart (system calls) for nothing.
   */
  detach(handOver = false): Buffer {
    if (!handOver) this.stream.pause();
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onEnd);
    this.stream.off('error', this.onError);
    this.detached = true;
    const rest = this.end > this.start ? Buffer.from(this.buf) : EMPTY;
    this.store = EMPTY;
    this.start = this.end = 0;
    this.notify();
    return rest;
  }
}

/**
 * Writes a binary string (one char per byte) followed by CRLF. Handed over as a latin1 string:
 * a socket writes it out from the string, with no Buffer made per line.
 */
export function writeLine(stream: Duplex, line: string): void {
  if (!stream.destroyed && stream.writable) stream.write(line + '\r\n', 'latin1');
}
