// The differential corpus: test/interop/corpus/NNN-short-name/{script.sieve, message.eml, case.json},
// and optionally personal/NAME.sieve and global/NAME.sieve, the scripts include reads.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Comparable, isRecord } from './schema.js';

export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'corpus');

export interface Deviation {
  /** Why sievert deliberately differs, citing the RFC section that decides it. */
  reason: string;
  /** What sievert gives, in the compared form. */
  sievert: Comparable;
  /** What Pigeonhole gives, in the compared form. */
  pigeonhole: Comparable;
}

export interface Case {
  name: string;
  dir: string;
  description: string;
  envelope: { from: string; to: string };
  deviation: Deviation | null;
  /** When set, both engines must report a compile error on this line. */
  errorLine: number | null;
  /**
   * Extensions to enable in Pigeonhole for this case beyond its defaults, as sieve-test's `-x`
   * takes them (e.g. ["+editheader", "+vnd.dovecot.debug"]).
   */
  pigeonholeExtensions: string[];
  /**
   * Pigeonhole settings (its plugin { } names, e.g. sieve_spamtest_status_header) the case runs
   * with: Pigeonhole's runner writes them into its configuration, sievert's maps them onto a
   * `sievert test --config` file.
   */
  settings: Record<string, string>;
  /** The case's personal/ and global/ folders (include :personal / :global), when it has them. */
  personalDir: string | null;
  globalDir: string | null;
  scriptPath: string;
  messagePath: string;
  script: Buffer;
  message: Buffer;
}

/** What a case gives both engines beyond the script, the message and the envelope. */
export type CaseContext = Pick<Case, 'settings' | 'personalDir' | 'globalDir'>;

export const NO_CONTEXT: CaseContext = { settings: {}, personalDir: null, globalDir: null };

export function loadCorpus(dir = CORPUS_DIR): Case[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d{3}-[a-z0-9-]+$/.test(d.name))
    .map((d) => d.name)
    .sort()
    .map((name) => loadCase(join(dir, name), name));
}

function loadCase(dir: string, name: string): Case {
  const json: unknown = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
  const where = `${name}/case.json`;
  if (!isRecord(json)) throw new Error(`${where}: not an object`);
  const { description, envelope, deviation, errorLine, pigeonholeExtensions, settings } = json;
  if (
    settings !== undefined &&
    (!isRecord(settings) ||
      Object.entries(settings).some(
        ([k, v]) => !/^[a-z0-9_]+$/.test(k) || typeof v !== 'string' || /[\r\n]/.test(v),
      ))
  ) {
    throw new Error(`${where}: "settings" must map Pigeonhole setting names to one-line strings`);
  }
  if (
    pigeonholeExtensions !== undefined &&
    (!Array.isArray(pigeonholeExtensions) || pigeonholeExtensions.some((x) => typeof x !== 'string'))
  ) {
    throw new Error(`${where}: "pigeonholeExtensions" must be a list of strings`);
  }
  if (typeof description !== 'string' || description === '')
    throw new Error(`${where}: "description" must be a string`);
  if (!isRecord(envelope) || typeof envelope.from !== 'string' || typeof envelope.to !== 'string') {
    throw new Error(`${where}: "envelope" must be {"from": string, "to": string}`);
  }
  if (deviation !== null && deviation !== undefined) {
    if (!isRecord(deviation) || typeof deviation.reason !== 'string' || !/RFC \d+/.test(deviation.reason)) {
      throw new Error(`${where}: "deviation.reason" must say why, citing an RFC section`);
    }
    if (!isRecord(deviation.sievert) || !isRecord(deviation.pigeonhole)) {
      throw new Error(`${where}: "deviation" needs "sievert" and "pigeonhole" results`);
    }
  }
  if (errorLine !== undefined && errorLine !== null && typeof errorLine !== 'number') {
    throw new Error(`${where}: "errorLine" must be a number`);
  }
  const folder = (sub: string): string | null => {
    const p = join(dir, sub);
    return existsSync(p) && statSync(p).isDirectory() ? p : null;
  };
  const scriptPath = join(dir, 'script.sieve');
  const messagePath = join(dir, 'message.eml');
  const message = readFileSync(messagePath);
  if (/(?<!\r)\n/.test(message.toString('latin1')))
    throw new Error(`${name}/message.eml: lines must end in CRLF`);
  return {
    name,
    dir,
    description,
    envelope: { from: envelope.from, to: envelope.to },
    deviation: deviation ? (deviation as unknown as Deviation) : null,
    errorLine: typeof errorLine === 'number' ? errorLine : null,
    pigeonholeExtensions: (pigeonholeExtensions as string[] | undefined) ?? [],
    settings: (settings as Record<string, string> | undefined) ?? {},
    personalDir: folder('personal'),
    globalDir: folder('global'),
    scriptPath,
    messagePath,
    script: readFileSync(scriptPath),
    message,
  };
}
