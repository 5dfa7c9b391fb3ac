// include (RFC 6609 §3.2) from a folder of NAME.sieve files: delivery's sieve.global_dir, and
// `sievert test`'s --personal-dir and --global-dir. Light on purpose: the CLI loads it at start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeScript, type IncludedScript, type ScriptLocation } from '../sieve/index.js';

/**
 * The script `include` names, from "NAME.sieve" in `dir`; null when there is none or it is not
 * UTF-8. A name never leaves the folder (no "/") and never names a hidden file (no leading ".").
 */
export function folderScript(dir: string, location: ScriptLocation, name: string): IncludedScript | null {
  if (name === '' || name.includes('/') || name.startsWith('.')) return null;
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, `${name}.sieve`));
  } catch {
    return null;
  }
  const decoded = decodeScript(bytes);
  return 'text' in decoded ? { source: decoded.text, id: `${location}:${name}` } : null;
}
