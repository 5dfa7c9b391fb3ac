import { isIP } from 'node:net';

/** An address range such as `10.0.0.0/8`, `::1/128` or a single address. */
export interface Cidr {
  family: 4 | 6;
  bytes: Buffer;
  prefix: number;
  text: string;
}

/** The bytes of an IPv4 or IPv6 address; IPv4-mapped IPv6 counts as IPv4. */
export function addressBytes(ip: string): { family: 4 | 6; bytes: Buffer } | undefined {
  const unmapped = plainAddress(ip);
  const fam = isIP(unmapped);
  if (fam === 4) return { family: 4, bytes: Buffer.from(unmapped.split('.').map(Number)) };
  if (fam !== 6) return undefined;
  const [head, tail] = unmapped.split('::') as [string, string | undefined];
  const parse = (s: string | undefined): number[] =>
    !s ? [] : s.split(':').flatMap((g) => (g.includes('.') ? ipv4Groups(g) : [parseInt(g, 16)]));
  const h = parse(head);
  const t = parse(tail);
  const groups = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const bytes = Buffer.alloc(16);
  groups.forEach((g, i) => bytes.writeUInt16BE(g, i * 2));
  return { family: 6, bytes };
}

function ipv4Groups(s: string): number[] {
  const b = s.split('.').map(Number);
  return [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
}

export function parseCidr(text: string): Cidr | undefined {
  const [addr, len] = text.split('/') as [string, string | undefined];
  const ip = addressBytes(addr);
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  const prefix = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (len !== undefined && !/^\d+$/.test(len))) {
    return undefined;
  }
  return { ...ip, prefix, text };
}

export function cidrContains(range: Cidr, ip: string): boolean {
  const a = addressBytes(ip);
  if (!a || a.family !== range.family) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a.bytes[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}

export function inNetworks(networks: readonly Cidr[], ip: string): boolean {
  return networks.some((n) => cidrContains(n, ip));
}

/** `::ffff:1.2.3.4` → `1.2.3.4`, as backends and logs expect. */
export function plainAddress(ip: string): string {
  return ip.toLowerCase().startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** 127.0.0.0/8, ::1 (also as an IPv4-mapped address), and the name `localhost`. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (a.toLowerCase() === 'localhost') return true;
  const v4 = a.toLowerCase().startsWith('::ffff:') ? a.slice(7) : a;
  return v4 === '::1' || (isIP(v4) === 4 && v4.startsWith('127.'));
}
