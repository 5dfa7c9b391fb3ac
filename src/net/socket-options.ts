import { Socket, type NetConnectOpts } from 'node:net';

/**
 * Keeps `new net.Socket(options)` on V8's stable path. In Node 20 (V8 11.3) the Socket
 * constructor copies its options with an object spread, and once that spread is optimized for
 * one ordinary source shape, every copy gets a fresh hidden class. Everything that then reads the
 * copy (the stream states, the socket itself) misses its inline caches, and the maps are
 * garbage: a socket costs about 6 µs to construct instead of 2, twice per proxied login (the
 * accepted socket and the backend's), about a tenth of a login's CPU.
 *
 * Two ways around it, both measured with `bench/proxy.ts`:
 * - options handed to `net.connect` are a null-prototype object, whose copies keep one shape;
 * - the spread is made megamorphic once at start (a few throwaway sockets with different
 *   option shapes), after which V8 copies through its generic path, which also keeps one shape.
 *   That covers the sockets node makes itself for accepted connections.
 */
export function connectOptions(o: NetConnectOpts): NetConnectOpts {
  return Object.assign(Object.create(null) as NetConnectOpts, o);
}

let warmed = false;

/** Makes the Socket constructor's options copy generic (see above). Cheap; runs once per process. */
export function warmSocketConstructor(): void {
  if (warmed) return;
  warmed = true;
  const shapes: object[] = [
    { allowHalfOpen: false },
    { readable: true },
    { writable: true },
    { pauseOnCreate: false },
    { noDelay: false },
    { keepAlive: false },
  ];
  for (let round = 0; round < 2; round++) for (const o of shapes) new Socket(o).destroy();
}
