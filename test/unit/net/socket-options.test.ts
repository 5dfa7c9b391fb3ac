// Socket options kept on V8's stable path (src/net/socket-options.ts): the copies node makes of
// them must keep one hidden class, which a null-prototype object does and a literal does not.
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { test } from 'node:test';
import { connectOptions } from '../../../src/net/socket-options.js';

test('connect options are a null-prototype copy with the same fields, and node connects with them', async () => {
  const server = createServer((s) => s.end('hello'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    const given = { host: '127.0.0.1', port, noDelay: true };
    const o = connectOptions(given);
    assert.equal(Object.getPrototypeOf(o), null);
    assert.notEqual(o, given);
    assert.deepEqual({ ...o }, given);
    const s = connect(o);
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    await new Promise((r) => s.once('close', r));
    assert.equal(text, 'hello');
  } finally {
    server.close();
  }
});
