/** The `sievert filter` command as a whole process, and a tally of its `--json` output. */
import { readFileSync } from 'node:fs';

import { addDestination, type FilterTally } from './pigeonhole.js';

export function sievertArgs(binPath: string, script: string, maildir: string, cacheDir: string): string[] {
  return [binPath, 'filter', script, maildir, '--json', '--cache-dir', cacheDir];
}

interface ActionLine {
  readonly type?: unknown;
  readonly mailbox?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Tallies `sievert filter --json`: one JSON object per message with an `actions` array (and
 * `error`), then a summary line without `actions`. keep counts as INBOX, like sieve-filter's
 * "store message in folder: INBOX".
 */
export function tallySievert(
  outputPath: string,
): FilterTally & { readonly summary: Record<string, unknown> | null } {
  const folders = new Map<string, number>();
  const destinations = new Map<number, string>();
  let messages = 0;
  let errors = 0;
  let summary: Record<string, unknown> | null = null;
  for (const line of readFileSync(outputPath, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(value)) continue;
    const actions = value.actions;
    if (!Array.isArray(actions)) {
      summary = value;
      continue;
    }
    messages++;
    // The generator names files ...Q<N>.bench.example,...; sievert reports the name as `message`.
    const match = typeof value.message === 'string' ? /Q(\d+)\./.exec(value.message) : null;
    const index = match ? Number(match[1]) : -1;
    if (value.error !== null && value.error !== undefined) errors++;
    for (const action of actions as readonly ActionLine[]) {
      const folder =
        action.type === 'keep'
          ? 'INBOX'
          : action.type === 'fileinto' && typeof action.mailbox === 'string'
            ? action.mailbox
            : null;
      if (folder === null) continue;
      folders.set(folder, (folders.get(folder) ?? 0) + 1);
      addDestination(destinations, index, folder);
    }
  }
  return { messages, folders, destinations, errors, summary };
}
