// The run-time state of foreverypart loops (RFC 5703 §3): which MIME part each running loop is at.
import type { CommandNode } from '../../ast.js';
import type { ExecutionContext } from '../../runtime.js';

export interface LoopFrame {
  readonly name: string | null;
  /** The pre-order index of the current part in the message as it is now. */
  index: number;
  /** Set by replace when it replaced the current part (its new children are not visited). */
  replaced: boolean;
}

const LOOPS = Symbol('foreverypart');

export function loopFrames(ctx: ExecutionContext): LoopFrame[] {
  let frames = ctx.state.get(LOOPS) as LoopFrame[] | undefined;
  if (frames === undefined) {
    frames = [];
    ctx.state.set(LOOPS, frames);
  }
  return frames;
}

/** The innermost running loop, or undefined outside every loop. */
export function currentLoop(ctx: ExecutionContext): LoopFrame | undefined {
  const frames = ctx.state.get(LOOPS) as LoopFrame[] | undefined;
  return frames?.[frames.length - 1];
}

/** The current MIME part: the loop's, or the message itself (index 0) outside a loop. */
export function currentPartIndex(ctx: ExecutionContext): number {
  return currentLoop(ctx)?.index ?? 0;
}

/** Thrown by break, caught by the loop it ends (RFC 5703 §3.2); never leaves the script. */
export class BreakSignal extends Error {
  constructor(readonly loop: string | null) {
    super(loop === null ? 'break' : `break :name "${loop}"`);
  }
}

/** The :name of a foreverypart command as written, or null. */
export function loopName(node: CommandNode): string | null {
  for (let i = 0; i < node.args.length - 1; i++) {
    const a = node.args[i]!;
    const next = node.args[i + 1]!;
    if (a.kind === 'tag' && a.name === 'name' && next.kind === 'string') return next.value;
  }
  return null;
}
