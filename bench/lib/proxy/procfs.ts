/** CPU time and resident memory of running processes, read from /proc (Linux). */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK` (100 on every Linux we know of), read once. */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Fields of /proc/PID/stat after the command name (which may contain spaces and parentheses). */
function statFields(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** User + system CPU milliseconds of one process, all its threads included. */
export function cpuMs(pid: number): number {
  const f = statFields(pid);
  // After the name: state(3) ppid(4) … utime(14) stime(15), so index = field number - 3.
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  return ((utime + stime) * 1000) / clockTicks();
}

/**
 * CPU milliseconds of one process from its threads' scheduler accounting
 * (/proc/PID/task/TID/schedstat, nanoseconds): the same quantity as utime + stime, without the
 * 10 ms tick granularity. Threads that ended are missing, so it is only used for deltas over
 * phases in which the process keeps its threads (node and nginx do).
 */
export function runtimeMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended while we looked.
    }
  }
  return ns / 1e6;
}

/** Resident set size of one process in KiB (VmRSS). */
export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Direct children of `pid` (nginx's worker under its master). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (Number(statFields(Number(name))[1]) === pid) out.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** A process and its direct children, measured together (nginx: master + worker). */
export class ProcessGroup {
  constructor(
    readonly pid: number,
    private readonly withChildren: boolean,
  ) {}

  pids(): number[] {
    return this.withChildren ? [this.pid, ...childPids(this.pid)] : [this.pid];
  }

  private sum(read: (pid: number) => number): number {
    let total = 0;
    for (const p of this.pids()) {
      try {
        total += read(p);
      } catch {
        // A process that just ended counts for nothing.
      }
    }
    return total;
  }

  /** utime + stime of all the processes (10 ms ticks). */
  cpuMs(): number {
    return this.sum(cpuMs);
  }

  /** The same from the scheduler's nanosecond accounting. */
  runtimeMs(): number {
    return this.sum(runtimeMs);
  }

  rssKiB(): number {
    return this.sum(rssKiB);
  }
}

/**
 * CPU milliseconds of a process tree rooted at `pid`: its own utime + stime, what it reaped of
 * its children (cutime + cstime), and the same for its live children. A child that ends during
 * a phase moves from "live" to "reaped" with its whole CPU, so deltas stay right (Dovecot's
 * per-session processes count).
 */
export function treeCpuMs(pid: number): number {
  const read = (p: number): number => {
    try {
      const f = statFields(p);
      return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      return 0;
    }
  };
  let total = read(pid);
  for (const c of childPids(pid)) total += read(c);
  return (total * 1000) / clockTicks();
}
