import type { OnReadOpts, Socket } from 'node:net';

/**
 * Reads of a plain TCP socket without an allocation per read, through net's `onread` option
 * (the socket reads into a buffer we hand it, and calls us with the byte count).
 *
 * Until `direct()` is called, each read lands in one buffer shared by all such sockets and is
 * copied out of it: by the line reader given to `feedTo()` (the backend leg while logging in),
 * else into the socket's readable side, so `data` events, pause/resume and pipes work as usual.
 *
 * After `direct(sink)` every read goes straight to the sink. Small reads still land in the
 * shared buffer and are copied (what node does anyway: it allocates per read). Once reads get
 * large (bulk data) the socket reads into a buffer of its own, which the sink may write out as
 * it is: no copy, no allocation, no garbage. The sink says whether it is done with the chunk;
 * when not (a write still pending, which may hold the buffer), reading stops until `release()`.
 * When reads get small again the socket's own buffer goes back to a small pool, so idle
 * sessions hold none.
 *
 * The shared buffer is safe because a read and its callback run back to back on the one JS
 * thread: whatever lands in it is copied before the next read anywhere.
 */

const SHARED_SIZE = 64 * 1024;
/** A read at least this large means bulk data: read into the socket's own buffer from then on. */
const BULK_READ = 16 * 1024;
/**
 * The size of a socket's own buffer. Larger than nginx's usual `proxy_buffer 64k`: fewer reads
 * and writes (and JS calls) per byte. Measured on loopback: 128 KiB cost 15–20 % more CPU per GiB
 * than 256 KiB with four streams; 512 KiB was no better.
 */
const OWN_SIZE = 256 * 1024;
/** Own buffers kept for reuse once sessions no longer need them (at most 4 MiB). */
const POOL_MAX = 16;

let shared: Buffer | undefined;
const pool: Buffer[] = [];

function sharedBuffer(): Buffer {
  return (shared ??= Buffer.allocUnsafeSlow(SHARED_SIZE));
}

/**
 * The sink of direct reads. Returns true when done with `chunk` (written out at once), false to
 * stop reading until `release()`: a write still pending may hold the chunk, and stopping is the
 * backpressure.
 */
export type ReadSink = (chunk: Buffer) => boolean;

/** A line reader made with `fed`, as far as the reads are concerned. */
export interface ReadFeed {
  feed(chunk: Buffer, length: number): boolean;
}

export class ReadBuffers {
  private socket: Socket | undefined;
  private sink: ReadSink | undefined;
  private lines: ReadFeed | undefined;
  private own: Buffer | undefined;
  /** The socket's own buffer is held by the sink (a pending write). */
  private held = false;
  private lastRead = 0;

  /** For `net.connect({ …, onread })`. */
  readonly onread: OnReadOpts = {
    buffer: () => this.next(),
    callback: (n, buf) => this.read(n, buf as Buffer),
  };

  /** The socket created with `onread` (before it reads anything). */
  attach(socket: Socket): void {
    this.socket = socket;
    socket.once('close', () => {
      // A pending write may still point into the own buffer: let it go to the garbage collector.
      this.own = undefined;
      this.sink = undefined;
    });
  }

  private next(): Buffer {
    if (this.sink && this.lastRead >= BULK_READ)
      return (this.own ??= pool.pop() ?? Buffer.allocUnsafeSlow(OWN_SIZE));
    if (this.own && !this.held) {
      if (pool.length < POOL_MAX) pool.push(this.own);
      this.own = undefined;
    }
    return this.own ?? sharedBuffer();
  }

  /**
   * Until `direct()`, reads go to `lines` (copied out of the buffer by it) rather than into the
   * socket's readable side: no Buffer and no stream events per read while logging in.
   */
  feedTo(lines: ReadFeed): void {
    this.lines = lines;
  }

  private read(n: number, buf: Buffer): boolean {
    this.lastRead = n;
    const socket = this.socket!;
    if (!this.sink) {
      // A reader detached without a bridge (never on a plain leg today): back to the stream.
      if (this.lines?.feed(buf, n)) return true;
      return socket.push(Buffer.from(buf.subarray(0, n)));
    }
    if (buf !== this.own) return this.sink(Buffer.from(buf.subarray(0, n))) || this.hold(false);
    return this.sink(buf.subarray(0, n)) || this.hold(true);
  }

  private hold(own: boolean): false {
    this.held = own;
    return false;
  }

  /**
   * Sends every further read to `sink` and returns what was received and not yet consumed (in
   * the socket's readable buffer), to be sent first. Reading resumes with `start()`.
   */
  direct(sink: ReadSink): Buffer[] {
    const socket = this.socket!;
    this.sink = sink;
    const pending: Buffer[] = [];
    for (let chunk: unknown; (chunk = socket.read()) !== null;) pending.push(chunk as Buffer);
    return pending;
  }

  /** Starts (or restarts) reading, in flowing mode so that `end` is emitted. */
  start(): void {
    this.socket?.resume();
  }

  /** The sink is done with the last chunk it kept: reading may go on. */
  release(): void {
    this.held = false;
    this.socket?.resume();
  }
}
