import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { block, capabilities, command, login, makeCerts, startServer, type TestCerts } from './helpers.js';

let certs: TestCerts;
before(() => {
  certs = makeCerts();
});
after(() => certs.cleanup());

test('STARTTLS: OK, handshake, the capability block again without STARTTLS, then PLAIN is offered', async (t) => {
  const { connect } = await startServer(t, { certs, plaintextWithoutTls: false });
  const c = await connect();
  assert.deepEqual(await block(c), [
    ...capabilities({ sasl: 'SCRAM-SHA-256', starttls: true }),
    'OK "sievert test ready."',
  ]);
  assert.deepEqual(await command(c, 'STARTTLS'), ['OK "Begin TLS negotiation now."']);
  await c.startTls(certs.ca);
  // RFC 5804 §2.2: sent unsolicited after the handshake.
  assert.deepEqual(await block(c), [...capabilities(), 'OK "TLS negotiation successful."']);
  // sieve-connect then resynchronises with a tagged NOOP.
  assert.deepEqual(await command(c, 'NOOP "STARTTLS-RESYNC-CAPA"'), [
    'OK (TAG "STARTTLS-RESYNC-CAPA") "Done"',
  ]);
  assert.deepEqual(await command(c, 'STARTTLS'), ['NO "STARTTLS is not available on this connection."']);
  await login(c);
  assert.deepEqual(await command(c, 'CAPABILITY'), [
    ...capabilities({ owner: 'alice' }),
    'OK "Capability completed."',
  ]);
  // RFC 5804 §2.14.1: UNAUTHENTICATE keeps TLS; STARTTLS stays unavailable.
  assert.deepEqual(await command(c, 'UNAUTHENTICATE'), ['OK "Unauthenticate completed."']);
  assert.deepEqual(await command(c, 'CAPABILITY'), [...capabilities(), 'OK "Capability completed."']);
});

test('commands pipelined after STARTTLS are discarded, not run under TLS', async (t) => {
  const { connect } = await startServer(t, { certs });
  const c = await connect();
  await block(c);
  c.sendRaw('STARTTLS\r\nLOGOUT\r\n');
  assert.deepEqual(await block(c), ['OK "Begin TLS negotiation now."']);
  await c.startTls(certs.ca);
  assert.deepEqual(await block(c), [...capabilities(), 'OK "TLS negotiation successful."']);
  assert.deepEqual(await command(c, 'NOOP'), ['OK "NOOP completed."']);
});

test('implicit TLS: the greeting comes over TLS, without STARTTLS', async (t) => {
  const { connect } = await startServer(t, { certs, tls: 'implicit', plaintextWithoutTls: false });
  const c = await connect();
  assert.deepEqual(await block(c), [...capabilities(), 'OK "sievert test ready."']);
  await login(c);
});

test('a plain listener neither offers nor accepts STARTTLS', async (t) => {
  const { client } = await startServer(t);
  const c = await client();
  assert.deepEqual(await command(c, 'STARTTLS'), ['NO "STARTTLS is not available on this connection."']);
});
