/** What both backends share: the StoreErrors they raise and the memory purge cadence. */
import { StoreError } from './types.js';

export const storeErrors = {
  noScript: (name: string): StoreError => new StoreError('NONEXISTENT', `there is no script "${name}"`),
  scriptExists: (name: string): StoreError =>
    new StoreError('ALREADYEXISTS', `a script "${name}" already exists`),
  // RFC 5804 §2.10: the active script cannot be deleted.
  scriptActive: (name: string): StoreError =>
    new StoreError('ACTIVE', `script "${name}" is active; deactivate it first`),
  noUser: (name: string): StoreError => new StoreError('NONEXISTENT', `there is no user "${name}"`),
  userExists: (name: string): StoreError => new StoreError('ALREADYEXISTS', `user "${name}" already exists`),
};

/**
 * Expired memory rows are dropped on every PURGE_EVERY-th mark a store object makes, at most
 * PURGE_BATCH rows at a time, so no single mark pays for a large backlog.
 */
export const PURGE_EVERY = 64;
export const PURGE_BATCH = 1000;
