import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstLineOrClose, protocolProxy, type Peer } from './helpers.js';

// Connection caps and the growing delays after failed logins (issue: "10,000 connections from
// one address", "wrong passwords in a loop"), with small numbers so they run in milliseconds.

test('connection caps: 25 connections from one address with max_connections_per_ip = 20, then the listener cap', async (t) => {
  const { proxy, client } = await protocolProxy(t, 'imap', {
    listener: 'max_connections_per_ip = 20\nmax_connections = 22',
  });
  const rejected = (): number =>
    proxy.context.metrics.get('sievert_proxy_connections_rejected_total', { listener: 'l' });
  const peers: Peer[] = [];
  t.after(() => peers.forEach((p) => p.close()));
  for (let i = 0; i < 25; i++) peers.push(await client('127.0.0.1'));
  const first = await Promise.all(peers.map((p) => firstLineOrClose(p)));
  const greeted = first.filter((l) => l.startsWith('* OK ')).length;
  assert.equal(greeted, 20, first.join('\n'));
  assert.equal(first.filter((l) => l === 'closed').length, 5);
  assert.equal(rejected(), 5);
  // Other addresses still get in, up to the listener's own cap of 22.
  const b = await client('127.0.0.2');
  const c = await client('127.0.0.3');
  const d = await client('127.0.0.4');
  peers.push(b, c, d);
  assert.match(await firstLineOrClose(b), /^\* OK /);
  assert.match(await firstLineOrClose(c), /^\* OK /);
  assert.equal(await firstLineOrClose(d), 'closed');
  assert.equal(rejected(), 6);
  // The accepted sessions are unaffected.
  const alive = peers[0]!;
  alive.send('x NOOP');
  await alive.expect('x OK NOOP completed.');
  // Closing some frees their places again (bounded retries while the closes are processed).
  for (const p of peers.slice(0, 3)) p.close();
  let again = 'closed';
  for (let i = 0; i < 50 && again === 'closed'; i++) {
    const p = await client('127.0.0.1');
    peers.push(p);
    again = await firstLineOrClose(p);
    if (again === 'closed') await new Promise((r) => setTimeout(r, 20));
  }
  assert.match(again, /^\* OK /);
});

test('wrong passwords in a loop: growing delays, per-address and per-identifier counters', async (t) => {
  const { proxy, backend, greeted } = await protocolProxy(t, 'imap', {
    limits: 'auth_failure_delay = "10ms"\nauth_failure_max_delay = "80ms"',
    listener: 'max_auth_attempts = 20',
  });
  const penalties = proxy.context.penalties;
  let wrong = 0;
  const refuse = async (b: Peer): Promise<void> => {
    b.send('* OK [CAPABILITY IMAP4rev1] ready');
    await b.expect(/^S1 LOGIN /);
    wrong++;
    b.send('S1 NO [AUTHENTICATIONFAILED] Authentication failed.');
  };
  /** Sends a LOGIN and resolves with how long the answer took, checking the answer. */
  const attempt = async (c: Peer, user: string, want: string): Promise<number> => {
    const started = performance.now();
    c.send(`a LOGIN ${user} pw`);
    await c.expect(want);
    return performance.now() - started;
  };
  const no = 'a NO [AUTHENTICATIONFAILED] Authentication failed.';
  const c = await greeted('127.0.0.1');
  // 10, 20, 40, 80 ms, then capped at 80 ms (timers never fire early; no upper bounds here).
  const expected = [10, 20, 40, 80, 80];
  for (const [i, ms] of expected.entries()) {
    backend.script(refuse);
    const took = await attempt(c, i % 2 ? 'Bob' : 'bob', no);
    assert.ok(took >= ms - 2, `failure ${i + 1} answered after ${took.toFixed(0)} ms, expected ≥ ${ms}`);
  }
  assert.equal(penalties.failures('ip:127.0.0.1'), 5);
  assert.equal(penalties.failures('id:bob'), 5, 'identifiers are counted after normalization');

  // Another session is answered at once meanwhile: the delay holds back only that login.
  const other = await greeted('127.0.0.9');
  backend.script(refuse);
  let slowDone = false;
  const slow = attempt(c, 'bob', no).then(() => (slowDone = true));
  other.send('n NOOP');
  await other.expect('n OK NOOP completed.');
  assert.equal(slowDone, false, 'the other session did not wait for the delayed (80 ms) answer');
  await slow;

  // The identifier's counter follows bob to a new address; a new user there starts afresh.
  const d = await greeted('127.0.0.2');
  backend.script(refuse);
  assert.ok((await attempt(d, 'bob', no)) >= 78, 'bob is slowed down from anywhere');
  const e = await greeted('127.0.0.3');
  backend.script(refuse);
  assert.ok((await attempt(e, 'carol', no)) >= 8);
  assert.equal(penalties.failures('id:carol'), 1);
  assert.equal(penalties.failures('ip:127.0.0.3'), 1);
  // carol from bob's address is slowed down by the address's counter.
  backend.script(refuse);
  assert.ok((await attempt(c, 'carol', no)) >= 78);
  assert.equal(penalties.failures('ip:127.0.0.1'), 7);

  // A success clears the identifier's counter, not the address's.
  backend.script(async (b) => {
    b.send('* OK [CAPABILITY IMAP4rev1] ready');
    await b.expect('S1 LOGIN "bob" "right"');
    b.send('S1 OK Logged in');
  });
  const f = await greeted('127.0.0.4');
  f.send('a LOGIN bob right');
  await f.expect('a OK Logged in');
  assert.equal(penalties.failures('id:bob'), 0);
  assert.equal(penalties.failures('ip:127.0.0.1'), 7);
  for (const p of [c, other, d, e, f]) p.close();
  await backend.done();
  assert.equal(wrong, 9);
  // A temporary failure is not the client's fault: it does not count.
  await backend.close();
  const g = await greeted('127.0.0.5');
  await attempt(g, 'dave', 'a NO [UNAVAILABLE] backend unavailable');
  assert.equal(penalties.failures('id:dave'), 0);
  assert.equal(penalties.failures('ip:127.0.0.5'), 0);
  g.close();
});

test('pop3, managesieve, submission: a failed login is counted and delayed like IMAP', async (t) => {
  for (const protocol of ['pop3', 'managesieve', 'submission'] as const) {
    const { proxy, backend, greeted } = await protocolProxy(t, protocol, {
      limits: 'auth_failure_delay = "30ms"',
    });
    backend.script(async (b) => {
      b.send(
        { pop3: '+OK ready', managesieve: '"SASL" "PLAIN"\r\nOK "ready"', submission: '220 ready' }[protocol],
      );
      if (protocol === 'pop3') {
        await b.expect('CAPA');
        b.send('+OK\r\nSASL PLAIN\r\nUSER\r\n.');
        await b.expect('USER eve');
        b.send('+OK');
        await b.expect('PASS pw');
        b.send('-ERR [AUTH] Authentication failed.');
      } else if (protocol === 'managesieve') {
        await b.expect(/^AUTHENTICATE "PLAIN" /);
        b.send('NO "Authentication failed."');
      } else {
        await b.expect('EHLO localhost');
        b.send('250-mx\r\n250 AUTH PLAIN');
        await b.expect(/^AUTH PLAIN /);
        b.send('535 5.7.8 Authentication failed');
      }
    });
    const c = await greeted();
    const started = performance.now();
    if (protocol === 'pop3') {
      c.send('USER eve');
      await c.expect('+OK');
      c.send('PASS pw');
      await c.expect('-ERR [AUTH] Authentication failed.');
    } else if (protocol === 'managesieve') {
      c.send(`AUTHENTICATE "PLAIN" "${Buffer.from('\0eve\0pw').toString('base64')}"`);
      await c.expect('NO "Authentication failed."');
    } else {
      c.send('EHLO c');
      for (;;) if ((await c.line()).startsWith('250 ')) break;
      c.send(`AUTH PLAIN ${Buffer.from('\0eve\0pw').toString('base64')}`);
      await c.expect('535 5.7.8 Authentication failed');
    }
    assert.ok(performance.now() - started >= 28, `${protocol}: the answer was delayed`);
    assert.equal(proxy.context.penalties.failures('ip:127.0.0.1'), 1, protocol);
    assert.equal(proxy.context.penalties.failures('id:eve'), 1, protocol);
    c.close();
    await backend.done();
  }
});
