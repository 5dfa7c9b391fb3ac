import { isIP, type Socket } from 'node:net';
import { addressBytes } from './cidr.js';

/** HAProxy PROXY protocol (v1 text and v2 binary), both directions. */

export interface ProxyHeader {
  /** False for v1 `UNKNOWN` and v2 `LOCAL`: keep the connection's own addresses. */
  proxied: boolean;
  sourceAddress: string;
  sourcePort: number;
  destinationAddress: string;
  destinationPort: number;
}

const v2Signature = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const v1Max = 107;
const v1Prefix = Buffer.from('PROXY ');
const v4MappedPrefix = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);

export class ProxyHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProxyHeaderError';
  }
}

type Parse = { header: ProxyHeader; length: number } | 'incomplete' | 'absent';

/** Parses a header at the start of `buf`. Throws on a malformed header. */
export function parseProxyHeader(buf: Buffer): Parse {
  if (buf.length === 0) return 'incomplete';
  const sigLen = Math.min(buf.length, v2Signature.length);
  if (buf.subarray(0, sigLen).equals(v2Signature.subarray(0, sigLen))) {
    if (buf.length < 16) return 'incomplete';
    return parseV2(buf);
  }
  const pLen = Math.min(buf.length, v1Prefix.length);
  if (buf.subarray(0, pLen).equals(v1Prefix.subarray(0, pLen))) {
    const lf = buf.indexOf('\r\n');
    if (lf < 0) {
      if (buf.length >= v1Max) throw new ProxyHeaderError('PROXY v1 header too long');
      return 'incomplete';
    }
    return { header: parseV1(buf.toString('latin1', 0, lf)), length: lf + 2 };
  }
  return 'absent';
}

function parseV1(line: string): ProxyHeader {
  const f = line.split(' ');
  if (f[1] === 'UNKNOWN') {
    return { proxied: false, sourceAddress: '', sourcePort: 0, destinationAddress: '', destinationPort: 0 };
  }
  if (f.length !== 6 || (f[1] !== 'TCP4' && f[1] !== 'TCP6'))
    throw new ProxyHeaderError('bad PROXY v1 header');
  const fam = f[1] === 'TCP4' ? 4 : 6;
  const [src, dst, sp, dp] = [f[2]!, f[3]!, f[4]!, f[5]!];
  const port = (p: string): number => {
    if (!/^\d{1,5}$/.test(p) || Number(p) > 65535) throw new ProxyHeaderError('bad port in PROXY v1 header');
    return Number(p);
  };
  if (isIP(src) !== fam || isIP(dst) !== fam) throw new ProxyHeaderError('bad address in PROXY v1 header');
  return {
    proxied: true,
    sourceAddress: src,
    sourcePort: port(sp),
    destinationAddress: dst,
    destinationPort: port(dp),
  };
}

function parseV2(buf: Buffer): Parse {
  const verCmd = buf[12]!;
  const fam = buf[13]!;
  const len = buf.readUInt16BE(14);
  if (verCmd >> 4 !== 2) throw new ProxyHeaderError('bad PROXY v2 version');
  if (buf.length < 16 + len) return 'incomplete';
  const total = 16 + len;
  const cmd = verCmd & 0x0f;
  const local = {
    proxied: false,
    sourceAddress: '',
    sourcePort: 0,
    destinationAddress: '',
    destinationPort: 0,
  };
  if (cmd === 0) return { header: local, length: total };
  if (cmd !== 1) throw new ProxyHeaderError('bad PROXY v2 command');
  const body = buf.subarray(16, total);
  if (fam === 0x11 && len >= 12) {
    const ip = (o: number): string => [...body.subarray(o, o + 4)].join('.');
    return {
      header: {
        proxied: true,
        sourceAddress: ip(0),
        destinationAddress: ip(4),
        sourcePort: body.readUInt16BE(8),
        destinationPort: body.readUInt16BE(10),
      },
      length: total,
    };
  }
  if (fam === 0x21 && len >= 36) {
    const ip = (o: number): string => {
      const groups: string[] = [];
      for (let i = 0; i < 8; i++) groups.push(body.readUInt16BE(o + i * 2).toString(16));
      return groups.join(':');
    };
    return {
      header: {
        proxied: true,
        sourceAddress: ip(0),
        destinationAddress: ip(16),
        sourcePort: body.readUInt16BE(32),
        destinationPort: body.readUInt16BE(34),
      },
      length: total,
    };
  }
  // Other families (UNIX, UNSPEC): keep the connection's addresses.
  return { header: local, length: total };
}

/** A v2 `PROXY` header for a TCP connection, to send first on a backend connection. */
export function buildProxyV2(h: Omit<ProxyHeader, 'proxied'>): Buffer {
  const src = addressBytes(h.sourceAddress);
  const dst = addressBytes(h.destinationAddress);
  if (!src) throw new Error(`not an IP address: ${h.sourceAddress}`);
  if (!dst) throw new Error(`not an IP address: ${h.destinationAddress}`);
  const fam = src.family === 4 && dst.family === 4 ? 4 : 6;
  const head = Buffer.alloc(16);
  v2Signature.copy(head);
  head[12] = 0x21;
  head[13] = fam === 4 ? 0x11 : 0x21;
  let body: Buffer;
  if (fam === 4) {
    body = Buffer.alloc(12);
    src.bytes.copy(body, 0);
    dst.bytes.copy(body, 4);
    body.writeUInt16BE(h.sourcePort, 8);
    body.writeUInt16BE(h.destinationPort, 10);
  } else {
    body = Buffer.alloc(36);
    ipv6Bytes(src).copy(body, 0);
    ipv6Bytes(dst).copy(body, 16);
    body.writeUInt16BE(h.sourcePort, 32);
    body.writeUInt16BE(h.destinationPort, 34);
  }
  head.writeUInt16BE(body.length, 14);
  return Buffer.concat([head, body]);
}

/** An address as IPv6 bytes: IPv4 becomes IPv4-mapped (`::ffff:a.b.c.d`). */
function ipv6Bytes(a: { family: 4 | 6; bytes: Buffer }): Buffer {
  return a.family === 6 ? a.bytes : Buffer.concat([v4MappedPrefix, a.bytes]);
}

/**
 * Reads a PROXY header from the start of a socket. `wait` is how long to wait for the first
 * bytes: server-speaks-first protocols cannot tell "no header" from "header not yet here",
 * so an optional header is awaited only briefly. Returns the bytes read past the header.
 */
export function readProxyHeader(
  socket: Socket,
  opts: { required: boolean; waitMs: number },
): Promise<{ header: ProxyHeader | undefined; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const finish = (err: Error | null, header?: ProxyHeader, rest?: Buffer): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      if (err) reject(err);
      else resolve({ header, rest: rest ?? Buffer.alloc(0) });
    };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      let r: Parse;
      try {
        r = parseProxyHeader(buf);
      } catch (e) {
        finish(e as Error);
        return;
      }
      if (r === 'incomplete') {
        if (buf.length > 16 + 65535) finish(new ProxyHeaderError('PROXY header too long'));
        return;
      }
      if (r === 'absent') {
        if (opts.required) finish(new ProxyHeaderError('PROXY header required'));
        else finish(null, undefined, buf);
        return;
      }
      finish(null, r.header, buf.subarray(r.length));
    };
    const onClose = (): void => finish(new ProxyHeaderError('connection closed before the PROXY header'));
    const timer = setTimeout(() => {
      if (opts.required || buf.length > 0)
        finish(new ProxyHeaderError('timed out waiting for the PROXY header'));
      else finish(null, undefined, buf);
    }, opts.waitMs);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.resume();
  });
}
