/**
 * Dovecot's scheme-prefixed password hashes (`{SHA512-CRYPT}$6$…`), so an existing Dovecot
 * passwd-file works unchanged. Each scheme is verified the way Dovecot's
 * src/auth/password-scheme*.c does it; every comparison of secret-derived bytes is
 * constant-time.
 */
import {
  createHash,
  createHmac,
  hash,
  pbkdf2 as pbkdf2Callback,
  randomBytes,
  randomInt,
  timingSafeEqual,
} from 'node:crypto';
import { promisify } from 'node:util';
import { argon2i, argon2id, bcrypt, createSHA512, type IHasher } from 'hash-wasm';
import { digestEqual } from '../net/index.js';

const pbkdf2 = promisify(pbkdf2Callback);

export type PasswordScheme =
  | 'PLAIN'
  | 'CLEARTEXT'
  | 'CRYPT'
  | 'MD5-CRYPT'
  | 'SHA256-CRYPT'
  | 'SHA512-CRYPT'
  | 'BLF-CRYPT'
  | 'ARGON2I'
  | 'ARGON2ID'
  | 'PBKDF2'
  | 'SHA'
  | 'SHA1'
  | 'SHA256'
  | 'SHA512'
  | 'SSHA'
  | 'SSHA256'
  | 'SSHA512'
  | 'SCRAM-SHA-1'
  | 'SCRAM-SHA-256';

export const PASSWORD_SCHEMES: readonly PasswordScheme[] = [
  'PLAIN',
  'CLEARTEXT',
  'CRYPT',
  'MD5-CRYPT',
  'SHA256-CRYPT',
  'SHA512-CRYPT',
  'BLF-CRYPT',
  'ARGON2I',
  'ARGON2ID',
  'PBKDF2',
  'SHA',
  'SHA1',
  'SHA256',
  'SHA512',
  'SSHA',
  'SSHA256',
  'SSHA512',
  'SCRAM-SHA-1',
  'SCRAM-SHA-256',
];

export function isPasswordScheme(s: string): s is PasswordScheme {
  return (PASSWORD_SCHEMES as readonly string[]).includes(s);
}

/** A stored hash sievert cannot use: an unknown scheme, or a value that is not of its scheme. */
export class PasswordHashError extends Error {
  constructor(
    readonly scheme: string,
    message: string,
  ) {
    super(message);
    this.name = 'PasswordHashError';
  }
}

/**
 * The default for hashPassword: Argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane) rather
 * than Dovecot's 64 MiB / 3 passes. hash-wasm runs on the event loop, so one hash at 64 MiB / 3
 * blocks every session of the process for about 170 ms; these parameters take about 25 ms and
 * still cost an attacker 19 MiB per guess. Verification always uses the stored parameters.
 */
export const DEFAULT_ARGON2 = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 } as const;

/** bcrypt cost for hashPassword (Dovecot's own default, 5, is too cheap for today's hardware). */
export const DEFAULT_BCRYPT_COST = 10;
/** Dovecot's defaults (password-scheme-crypt.c, password-scheme-pbkdf2.c, password-scheme-scram.c). */
const DEFAULT_SHA_CRYPT_ROUNDS = 5000;
const DEFAULT_PBKDF2_ROUNDS = 5000;
export const DEFAULT_SCRAM_ITERATIONS = 4096;

/** Splits `{SCHEME.ENCODING}value`; a bare value is PLAIN unless it is a crypt(3) hash. */
export function parseStoredPassword(stored: string): { scheme: string; encoding?: string; value: string } {
  const m = /^\{([^{}]*)\}/.exec(stored);
  if (!m) {
    // Dovecot recognises a bare `$1$` as MD5-CRYPT (password_get_scheme); the other crypt(3)
    // prefixes are treated the same way so a hash is never taken for a plaintext password.
    if (cryptPrefix(stored) !== undefined) return { scheme: 'CRYPT', value: stored };
    return { scheme: 'PLAIN', value: stored };
  }
  const [name, encoding] = m[1]!.toUpperCase().split('.', 2) as [string, string | undefined];
  return { scheme: name, value: stored.slice(m[0].length), ...(encoding ? { encoding } : {}) };
}

/**
 * True when `given` matches `stored`. A bare stored value is `{PLAIN}` (a bare crypt(3) hash is
 * `{CRYPT}`); an empty stored value is "no password" and matches nothing. Throws
 * PasswordHashError for an unknown scheme or a malformed hash: that is the administrator's
 * error, not a wrong password. Strings are UTF-8; bytes are used as given.
 */
export async function verifyPassword(given: string | Uint8Array, stored: string): Promise<boolean> {
  if (stored === '') return false;
  const pw = typeof given === 'string' ? Buffer.from(given, 'utf8') : Buffer.from(given);
  const { scheme, encoding, value } = parseStoredPassword(stored);
  switch (scheme) {
    case 'PLAIN':
    case 'CLEARTEXT':
      return digestEqual(pw, decodePlain(scheme, value, encoding));
    case 'CRYPT':
      return verifyCrypt(scheme, pw, value);
    case 'MD5-CRYPT':
    case 'SHA256-CRYPT':
    case 'SHA512-CRYPT':
    case 'BLF-CRYPT': {
      const prefix = cryptPrefix(value);
      if (prefix === undefined || CRYPT_SCHEME[prefix] !== scheme)
        throw new PasswordHashError(scheme, `${scheme} hash does not start with ${SCHEME_PREFIX[scheme]}`);
      return verifyCrypt(scheme, pw, value);
    }
    case 'ARGON2I':
    case 'ARGON2ID':
      return verifyArgon2(scheme, pw, value);
    case 'PBKDF2':
      return verifyPbkdf2(pw, value);
    case 'SHA':
    case 'SHA1':
    case 'SHA256':
    case 'SHA512': {
      const alg = DIGEST[scheme];
      const want = decodeDigest(scheme, value, encoding, digestLength(alg), false);
      return safeEqual(createHash(alg).update(pw).digest(), want);
    }
    case 'SSHA':
    case 'SSHA256':
    case 'SSHA512': {
      const alg = DIGEST[scheme];
      const len = digestLength(alg);
      const raw = decodeDigest(scheme, value, encoding, len, true);
      const salt = raw.subarray(len);
      return safeEqual(createHash(alg).update(pw).update(salt).digest(), raw.subarray(0, len));
    }
    case 'SCRAM-SHA-1':
    case 'SCRAM-SHA-256': {
      const c = parseScramStored(scheme, value);
      // Dovecot derives the keys from the password as given, without SASLprep (scram_verify).
      const keys = await scramKeys(scheme, pw, c.salt, c.iterations);
      return safeEqual(keys.storedKey, c.storedKey);
    }
    default:
      throw new PasswordHashError(
        scheme,
        `unknown password scheme {${scheme}} (known: ${PASSWORD_SCHEMES.join(', ')})`,
      );
  }
}

/**
 * The password itself when it is stored in the clear (`{PLAIN}`, `{CLEARTEXT}`, a bare value),
 * for mechanisms that derive their own keys from it (SCRAM). Undefined for hashes and for an
 * empty stored value (no password).
 */
export function plaintextOf(stored: string): string | undefined {
  if (stored === '') return undefined;
  const { scheme, encoding, value } = parseStoredPassword(stored);
  if (scheme !== 'PLAIN' && scheme !== 'CLEARTEXT') return undefined;
  return decodePlain(scheme, value, encoding).toString('utf8');
}

/** Hashes `plain` for storage in the scheme (default ARGON2ID), prefixed with `{SCHEME}`. */
export async function hashPassword(
  plain: string | Uint8Array,
  scheme: PasswordScheme = 'ARGON2ID',
): Promise<string> {
  const pw = typeof plain === 'string' ? Buffer.from(plain, 'utf8') : Buffer.from(plain);
  return `{${scheme}}${await hashValue(pw, scheme)}`;
}

async function hashValue(pw: Buffer, scheme: PasswordScheme): Promise<string> {
  switch (scheme) {
    case 'PLAIN':
    case 'CLEARTEXT':
      if (pw.includes(0)) throw new PasswordHashError(scheme, 'a PLAIN password cannot contain NUL');
      return pw.toString('utf8');
    case 'CRYPT':
    case 'SHA512-CRYPT':
      return shaCryptString(
        512,
        pw,
        cryptSalt(16),
        DEFAULT_SHA_CRYPT_ROUNDS,
        false,
        await sha512RoundDigest(),
      );
    case 'SHA256-CRYPT':
      return shaCryptString(256, pw, cryptSalt(16), DEFAULT_SHA_CRYPT_ROUNDS, false);
    case 'MD5-CRYPT':
      return md5CryptString(pw, cryptSalt(8));
    case 'BLF-CRYPT': {
      const encoded = await bcrypt({
        password: bcryptPassword(scheme, pw),
        salt: randomBytes(16),
        costFactor: DEFAULT_BCRYPT_COST,
        outputType: 'encoded',
      });
      // Dovecot writes $2y$; hash-wasm writes $2a$ (the same algorithm without the 2011 bug).
      return '$2y$' + encoded.slice(4);
    }
    case 'ARGON2I':
    case 'ARGON2ID': {
      const fn = scheme === 'ARGON2I' ? argon2i : argon2id;
      return fn({ password: pw, salt: randomBytes(16), ...DEFAULT_ARGON2, outputType: 'encoded' });
    }
    case 'PBKDF2': {
      const salt = cryptSalt(16);
      const key = await pbkdf2(pw, Buffer.from(salt, 'latin1'), DEFAULT_PBKDF2_ROUNDS, 20, 'sha1');
      return `$1$${salt}$${DEFAULT_PBKDF2_ROUNDS}$${key.toString('hex')}`;
    }
    case 'SHA':
    case 'SHA1':
    case 'SHA256':
    case 'SHA512':
      return createHash(DIGEST[scheme]).update(pw).digest('base64');
    case 'SSHA':
    case 'SSHA256':
    case 'SSHA512': {
      const salt = randomBytes(8);
      const d = createHash(DIGEST[scheme]).update(pw).update(salt).digest();
      return Buffer.concat([d, salt]).toString('base64');
    }
    case 'SCRAM-SHA-1':
    case 'SCRAM-SHA-256': {
      const k = await scramKeys(scheme, pw, randomBytes(16), DEFAULT_SCRAM_ITERATIONS);
      return [
        k.iterations,
        k.salt.toString('base64'),
        k.storedKey.toString('base64'),
        k.serverKey.toString('base64'),
      ].join(',');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Comparisons

/** Constant-time equality; a length difference is answered in the same time as a mismatch. */
export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

// ---------------------------------------------------------------------------------------------
// Encodings

function decodePlain(scheme: string, value: string, encoding: string | undefined): Buffer {
  if (encoding === undefined) return Buffer.from(value, 'utf8');
  return decodeWith(scheme, value, encoding);
}

function decodeWith(scheme: string, value: string, encoding: string): Buffer {
  if (encoding === 'HEX') {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(value))
      throw new PasswordHashError(scheme, `${scheme}.HEX value is not hex`);
    return Buffer.from(value, 'hex');
  }
  if (encoding === 'B64' || encoding === 'BASE64') {
    if (!isBase64(value)) throw new PasswordHashError(scheme, `${scheme} value is not base64`);
    return Buffer.from(value, 'base64');
  }
  throw new PasswordHashError(scheme, `unknown password encoding {${scheme}.${encoding}} (known: HEX, B64)`);
}

/**
 * A digest in its scheme's encoding (base64 unless `.HEX`); like Dovecot's password_decode, a
 * value exactly twice the digest length in hex digits is read as hex.
 */
function decodeDigest(
  scheme: string,
  value: string,
  encoding: string | undefined,
  len: number,
  salted: boolean,
): Buffer {
  if (encoding === undefined && value.length === len * 2 && /^[0-9a-fA-F]+$/.test(value))
    return Buffer.from(value, 'hex');
  const raw = decodeWith(scheme, value, encoding ?? 'B64');
  if (salted ? raw.length <= len : raw.length !== len)
    throw new PasswordHashError(scheme, `${scheme} value has the wrong length for its digest`);
  return raw;
}

function isBase64(s: string): boolean {
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

const DIGEST = {
  SHA: 'sha1',
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA512: 'sha512',
  SSHA: 'sha1',
  SSHA256: 'sha256',
  SSHA512: 'sha512',
} as const;

function digestLength(alg: 'sha1' | 'sha256' | 'sha512'): number {
  return alg === 'sha1' ? 20 : alg === 'sha256' ? 32 : 64;
}

// ---------------------------------------------------------------------------------------------
// crypt(3): MD5-CRYPT, SHA256-CRYPT, SHA512-CRYPT, BLF-CRYPT

type CryptPrefix = '$1$' | '$5$' | '$6$' | '$2a$' | '$2b$' | '$2y$';
const CRYPT_SCHEME: Record<CryptPrefix, PasswordScheme> = {
  $1$: 'MD5-CRYPT',
  $5$: 'SHA256-CRYPT',
  $6$: 'SHA512-CRYPT',
  $2a$: 'BLF-CRYPT',
  $2b$: 'BLF-CRYPT',
  $2y$: 'BLF-CRYPT',
};
const SCHEME_PREFIX: Record<string, string> = {
  'MD5-CRYPT': '$1$',
  'SHA256-CRYPT': '$5$',
  'SHA512-CRYPT': '$6$',
  'BLF-CRYPT': '$2y$',
};

function cryptPrefix(value: string): CryptPrefix | undefined {
  const m = /^\$(?:1|5|6|2[aby])\$/.exec(value);
  return m ? (m[0] as CryptPrefix) : undefined;
}

async function verifyCrypt(scheme: string, pw: Buffer, value: string): Promise<boolean> {
  const prefix = cryptPrefix(value);
  if (prefix === undefined) {
    const what = value.startsWith('$')
      ? `the crypt(3) method ${value.split('$', 2).join('$')}$`
      : 'DES crypt(3)';
    throw new PasswordHashError(scheme, `${what} is not supported (known: $1$, $5$, $6$, $2a$, $2b$, $2y$)`);
  }
  switch (prefix) {
    case '$1$': {
      const m = /^\$1\$([^$]{0,8})\$([./0-9A-Za-z]{22})$/.exec(value);
      if (!m) throw new PasswordHashError(scheme, 'malformed MD5-CRYPT hash ($1$salt$hash)');
      return safeEqual(Buffer.from(md5CryptString(pw, m[1]!)), Buffer.from(value));
    }
    case '$5$':
    case '$6$': {
      const bits = prefix === '$5$' ? 256 : 512;
      const m = /^\$[56]\$(?:rounds=([0-9]{1,10})\$)?([^$]*)\$([./0-9A-Za-z]+)$/.exec(value);
      const hashLen = bits === 256 ? 43 : 86;
      if (!m || m[3]!.length !== hashLen)
        throw new PasswordHashError(
          scheme,
          `malformed ${CRYPT_SCHEME[prefix]} hash (${prefix}[rounds=N$]salt$hash)`,
        );
      // The salt is at most 16 characters; crypt(3) ignores the rest (Drepper, step 2).
      const salt = m[2]!.slice(0, 16);
      const rounds = m[1] === undefined ? DEFAULT_SHA_CRYPT_ROUNDS : Number(m[1]);
      const explicit = m[1] !== undefined;
      const computed =
        bits === 512
          ? shaCryptString(512, pw, salt, rounds, explicit, await sha512RoundDigest())
          : shaCryptString(256, pw, salt, rounds, explicit);
      return safeEqual(Buffer.from(computed.slice(-hashLen)), Buffer.from(m[3]!));
    }
    default:
      return verifyBcrypt(pw, value);
  }
}

const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function cryptSalt(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += CRYPT_ALPHABET[randomInt(64)];
  return s;
}

/** crypt(3)'s base64: little-endian groups of 24 bits, `./0-9A-Za-z`. */
function cryptBase64(bytes: Buffer, groups: readonly (readonly number[])[]): string {
  let out = '';
  for (const g of groups) {
    // A group is [b2, b1, b0] (3 bytes, 4 characters), or a shorter final group.
    let w = 0;
    for (const i of g) w = (w << 8) | bytes[i]!;
    const chars = g.length + 1;
    for (let n = 0; n < chars; n++) {
      out += CRYPT_ALPHABET[w & 0x3f];
      w >>>= 6;
    }
  }
  return out;
}

const MD5_ORDER = [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5], [11]] as const;
const SHA256_ORDER = [
  [0, 10, 20],
  [21, 1, 11],
  [12, 22, 2],
  [3, 13, 23],
  [24, 4, 14],
  [15, 25, 5],
  [6, 16, 26],
  [27, 7, 17],
  [18, 28, 8],
  [9, 19, 29],
  [31, 30],
] as const;
const SHA512_ORDER = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
  [63],
] as const;

/** Poul-Henning Kamp's MD5-based crypt (FreeBSD `$1$`), 1000 fixed rounds. */
export function md5CryptString(pw: Buffer, saltText: string): string {
  const salt = Buffer.from(saltText.slice(0, 8), 'latin1');
  const md5 = () => createHash('md5');
  const alt = md5().update(pw).update(salt).update(pw).digest();
  const ctx = md5().update(pw).update('$1$').update(salt);
  for (let n = pw.length; n > 0; n -= 16) ctx.update(alt.subarray(0, Math.min(16, n)));
  for (let i = pw.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.of(0) : pw.subarray(0, 1));
  let f = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const h = md5().update(i & 1 ? pw : f);
    if (i % 3) h.update(salt);
    if (i % 7) h.update(pw);
    f = h.update(i & 1 ? f : pw).digest();
  }
  return `$1$${salt.toString('latin1')}$${cryptBase64(f, MD5_ORDER)}`;
}

/**
 * Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512" (the `$5$`/`$6$` of glibc), steps
 * numbered as in that specification. Rounds are clamped to 1000…999999999 as it prescribes.
 */
export function shaCryptString(
  bits: 256 | 512,
  pw: Buffer,
  saltText: string,
  rounds: number,
  explicitRounds: boolean,
  digest: RoundDigest = (data) => hash(bits === 256 ? 'sha256' : 'sha512', data, 'buffer'),
): string {
  const alg = bits === 256 ? 'sha256' : 'sha512';
  const len = bits / 8;
  const salt = Buffer.from(saltText, 'latin1').subarray(0, 16);
  const r = Math.min(999_999_999, Math.max(1000, rounds));
  const h = () => createHash(alg);
  // Steps 4–8: digest B.
  const b = h().update(pw).update(salt).update(pw).digest();
  // Steps 1–3, 9–12: digest A.
  const a = h().update(pw).update(salt);
  let n = pw.length;
  for (; n > len; n -= len) a.update(b);
  a.update(b.subarray(0, n));
  for (let i = pw.length; i > 0; i >>= 1) a.update(i & 1 ? b : pw);
  const digestA = a.digest();
  // Steps 13–16: the byte sequence P.
  const dp = h();
  for (let i = 0; i < pw.length; i++) dp.update(pw);
  const p = repeatTo(dp.digest(), pw.length);
  // Steps 17–20: the byte sequence S.
  const ds = h();
  for (let i = 0; i < 16 + digestA[0]!; i++) ds.update(salt);
  const s = repeatTo(ds.digest(), salt.length);
  // Step 21: the rounds (5,000 by default, nearly the whole cost). Each round's input is laid
  // out in one reused buffer and hashed in one call: a node:crypto Hash object and four update()
  // calls per round cost about 1.5x as much.
  let c: Uint8Array = digestA;
  const input = new Uint8Array(2 * p.length + s.length + len);
  // The four input lengths a round can have (with or without S, with or without the second P).
  const views = [0, 1, 2, 3].map((k) =>
    input.subarray(0, p.length + len + (k & 1 ? s.length : 0) + (k & 2 ? p.length : 0)),
  );
  for (let i = 0; i < r; i++) {
    const first = i & 1 ? p : c;
    input.set(first, 0);
    let n = first.length;
    let k = 0;
    if (i % 3) {
      input.set(s, n);
      n += s.length;
      k = 1;
    }
    if (i % 7) {
      input.set(p, n);
      n += p.length;
      k |= 2;
    }
    input.set(i & 1 ? c : p, n);
    c = digest(views[k]!);
  }
  const head = `$${bits === 256 ? 5 : 6}$${explicitRounds ? `rounds=${r}$` : ''}${salt.toString('latin1')}$`;
  return head + cryptBase64(Buffer.from(c), bits === 256 ? SHA256_ORDER : SHA512_ORDER);
}

/** One SHA-256 or SHA-512 digest of `data` (shaCryptString's rounds). */
export type RoundDigest = (data: Uint8Array) => Uint8Array;

let sha512Hasher: Promise<IHasher> | undefined;

/**
 * SHA-512 rounds on hash-wasm's reusable WebAssembly hasher: 15–20 % less CPU than one-shot
 * crypto.hash() per round. (For SHA-256, OpenSSL's SHA extensions win; it keeps the default.)
 * Sharing one hasher is safe: the rounds run synchronously, no digest starts before one ends.
 */
async function sha512RoundDigest(): Promise<RoundDigest> {
  const hasher = await (sha512Hasher ??= createSHA512());
  return (data) => hasher.init().update(data).digest('binary');
}

function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

// ---------------------------------------------------------------------------------------------
// bcrypt, Argon2, PBKDF2

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** bcrypt reads at most 72 bytes of the password; crypt_blowfish (Dovecot's) truncates. */
function bcryptPassword(scheme: string, pw: Buffer): Buffer {
  if (pw.length === 0) throw new PasswordHashError(scheme, 'BLF-CRYPT cannot hash an empty password');
  return pw.subarray(0, 72);
}

async function verifyBcrypt(pw: Buffer, value: string): Promise<boolean> {
  const m = /^\$2[aby]\$([0-9]{2})\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(value);
  const cost = Number(m?.[1]);
  if (!m || cost < 4 || cost > 31)
    throw new PasswordHashError('BLF-CRYPT', 'malformed BLF-CRYPT hash ($2y$NN$ + 53 characters)');
  // hash-wasm's bcryptVerify compares inside WebAssembly; computing the hash here keeps the
  // comparison constant-time. hash-wasm refuses empty passwords, which therefore never match.
  if (pw.length === 0) return false;
  const computed = await bcrypt({
    password: pw.subarray(0, 72),
    salt: bcryptSaltBytes(m[2]!),
    costFactor: cost,
    outputType: 'encoded',
  });
  return safeEqual(Buffer.from(computed.slice(-31)), Buffer.from(m[3]!));
}

/** The 16 salt bytes of bcrypt's 22-character salt (its own base64 alphabet, no padding). */
function bcryptSaltBytes(s: string): Buffer {
  let bits = 0;
  let acc = 0;
  const out: number[] = [];
  for (const ch of s) {
    acc = (acc << 6) | BCRYPT_ALPHABET.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out.slice(0, 16));
}

async function verifyArgon2(scheme: string, pw: Buffer, value: string): Promise<boolean> {
  // PHC string format: $argon2id$v=19$m=65536,t=3,p=1$salt$hash (unpadded base64).
  const m =
    /^\$argon2(id|i)\$v=19\$m=([0-9]{1,10}),t=([0-9]{1,10}),p=([0-9]{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(
      value,
    );
  if (!m)
    throw new PasswordHashError(scheme, `malformed ${scheme} hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash)`);
  const [memorySize, iterations, parallelism] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const salt = Buffer.from(m[5]!, 'base64');
  const want = Buffer.from(m[6]!, 'base64');
  if (salt.length < 8 || want.length < 4 || parallelism < 1 || iterations < 1 || memorySize < 8 * parallelism)
    throw new PasswordHashError(scheme, `${scheme} hash has out-of-range parameters`);
  // libsodium's verification (Dovecot's) follows the variant named in the string, as here.
  const fn = m[1] === 'i' ? argon2i : argon2id;
  const got = await fn({
    password: pw,
    salt,
    iterations,
    parallelism,
    memorySize,
    hashLength: want.length,
    outputType: 'binary',
  });
  return safeEqual(got, want);
}

async function verifyPbkdf2(pw: Buffer, value: string): Promise<boolean> {
  // Dovecot password-scheme-pbkdf2.c: $1$salt$rounds$hex(PBKDF2-HMAC-SHA1, 20 bytes); the salt
  // is used as the text it is, not decoded.
  const m = /^\$1\$([^$]*)\$([0-9]{1,10})\$([0-9a-fA-F]{40})$/.exec(value);
  if (!m || Number(m[2]) < 1)
    throw new PasswordHashError('PBKDF2', 'malformed PBKDF2 hash ($1$salt$rounds$40 hex digits)');
  const key = await pbkdf2(pw, Buffer.from(m[1]!, 'utf8'), Number(m[2]), 20, 'sha1');
  return safeEqual(key, Buffer.from(m[3]!, 'hex'));
}

// ---------------------------------------------------------------------------------------------
// SCRAM stored keys

/** What a SCRAM server needs of a user: RFC 5802 §3 SaltedPassword's salt and the two keys. */
export interface ScramCredentials {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/**
 * RFC 5802 §3: SaltedPassword = Hi(password, salt, i), StoredKey = H(HMAC(SaltedPassword,
 * "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"). The password's octets are
 * used as given (SASLprep is the caller's choice).
 */
export async function scramKeys(
  scheme: 'SCRAM-SHA-1' | 'SCRAM-SHA-256',
  pw: Uint8Array,
  salt: Buffer,
  iterations: number,
): Promise<ScramCredentials> {
  const hash = scheme === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
  const salted = await pbkdf2(pw, salt, iterations, digestLength(hash), hash);
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  return {
    iterations,
    salt,
    storedKey: createHash(hash).update(clientKey).digest(),
    serverKey: createHmac(hash, salted).update('Server Key').digest(),
  };
}

/** Dovecot 2.3's `{SCRAM-SHA-256}iterations,salt,StoredKey,ServerKey` (all base64). */
export function parseScramStored(scheme: 'SCRAM-SHA-1' | 'SCRAM-SHA-256', value: string): ScramCredentials {
  const len = scheme === 'SCRAM-SHA-1' ? 20 : 32;
  const f = value.split(',');
  const bad = (what: string) =>
    new PasswordHashError(scheme, `malformed ${scheme} value: ${what} (iterations,salt,StoredKey,ServerKey)`);
  if (f.length !== 4) throw bad('not four fields');
  const iterations = Number(f[0]);
  // Dovecot's range: RFC 5802 §5.1 says at least 4096.
  if (!/^[0-9]{1,10}$/.test(f[0]!) || iterations < 4096 || iterations > 2 ** 31 - 1)
    throw bad('iteration count');
  if (!isBase64(f[1]!) || f[1] === '') throw bad('salt');
  if (!isBase64(f[2]!) || Buffer.from(f[2]!, 'base64').length !== len) throw bad('StoredKey');
  if (!isBase64(f[3]!) || Buffer.from(f[3]!, 'base64').length !== len) throw bad('ServerKey');
  return {
    iterations,
    salt: Buffer.from(f[1]!, 'base64'),
    storedKey: Buffer.from(f[2]!, 'base64'),
    serverKey: Buffer.from(f[3]!, 'base64'),
  };
}
