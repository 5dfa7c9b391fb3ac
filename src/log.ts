// The JSON logger of the long-running servers (`serve`, `proxy`).
import { pino, type Logger } from 'pino';

/**
 * How long a log line may wait in the buffer before it is written (ms). Lines are written in
 * batches of about 4 KiB, or after this delay when fewer arrive, instead of one system call per
 * line (with a session logging three lines, that was a tenth of a ManageSieve login's CPU). The
 * buffer is written out when the process exits (normal exit, signal handled by the server, or an
 * uncaught error); only a SIGKILL can lose its last lines.
 */
export const LOG_FLUSH_MS = 100;

export function serverLogger(level: string, service: string): Logger {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  // A flush is scheduled by the first line after one: a quiet server is not woken every
  // LOG_FLUSH_MS (pino's periodicFlush writes even an empty buffer, from a worker thread).
  const write = destination.write.bind(destination);
  let due: NodeJS.Timeout | undefined;
  const flush = (): void => {
    due = undefined;
    destination.flush();
  };
  destination.write = (line: string): boolean => {
    const r = write(line);
    if (due === undefined) {
      due = setTimeout(flush, LOG_FLUSH_MS);
      due.unref();
    }
    return r;
  };
  return pino({ level, base: { service } }, destination);
}
