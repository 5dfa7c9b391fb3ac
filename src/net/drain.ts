/** A session a server can stop: politely first, then at once. */
export interface Drainable {
  /** Asks the session to end at its next opportunity (e.g. BYE / 421 between commands). */
  shutdown(): void;
  /** Ends it now. */
  destroy(): void;
}

/**
 * The sessions part of a server's close(): asks every session to shut down, waits for them until
 * the deadline, then destroys what is left and waits for those too. `sessions` maps each session
 * to the promise of its run (removed from the map when it settles).
 */
export async function drainSessions(
  sessions: ReadonlyMap<Drainable, Promise<void>>,
  deadlineMs: number,
): Promise<void> {
  for (const s of sessions.keys()) s.shutdown();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, deadlineMs);
  });
  await Promise.race([Promise.all(sessions.values()), deadline]);
  clearTimeout(timer);
  for (const s of sessions.keys()) s.destroy();
  await Promise.all(sessions.values());
}
