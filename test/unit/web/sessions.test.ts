// The web sessions' table at its limits: the idle timeout to the millisecond, and the cap on open
// sessions (the least recently created one ends, with its close, when one more logs in).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionTable, type UserScripts, type WebSession } from '../../../src/web/index.js';

const scripts = {} as UserScripts;

function table(maxSessions: number, idleMs = 1000) {
  let clock = 0;
  const ended: string[] = [];
  const t = new SessionTable(
    idleMs,
    () => clock,
    (s: WebSession) => ended.push(s.user),
    maxSessions,
  );
  return {
    t,
    ended,
    at: (ms: number) => {
      clock = ms;
    },
  };
}

test('a session idle for exactly the timeout is alive; one millisecond more ends it, once', () => {
  const { t, ended, at } = table(10);
  const s = t.create('alice', scripts);
  at(1000);
  assert.equal(t.touch(s.id), s);
  at(2001);
  assert.equal(t.touch(s.id), undefined);
  assert.deepEqual(ended, ['alice']);
  assert.equal(t.touch(s.id), undefined);
  assert.deepEqual(ended, ['alice'], 'ended once');
  assert.equal(t.size, 0);
});

test('at the cap, a new login ends the least recently created session, even a recently used one', () => {
  const { t, ended, at } = table(3);
  const [a, b, c] = ['a', 'b', 'c'].map((u) => t.create(u, scripts)) as [WebSession, WebSession, WebSession];
  at(500);
  assert.equal(t.touch(a.id), a, 'a used again: creation order still decides');
  assert.equal(t.size, 3);
  assert.deepEqual(ended, [], 'the cap itself is allowed');

  const d = t.create('d', scripts);
  assert.equal(t.size, 3);
  assert.deepEqual(ended, ['a']);
  assert.equal(t.touch(a.id), undefined);
  for (const s of [b, c, d]) assert.equal(t.touch(s.id), s);

  t.create('e', scripts);
  assert.deepEqual(ended, ['a', 'b']);
});

test('at the cap, expired sessions end first and no live one is evicted', () => {
  const { t, ended, at } = table(2);
  const a = t.create('a', scripts);
  at(100);
  const b = t.create('b', scripts);
  at(900);
  assert.equal(t.touch(a.id), a);
  at(1101); // b, created after a, is idle for longer than the timeout; a is not
  const c = t.create('c', scripts);
  assert.deepEqual(ended, ['b']);
  assert.equal(t.size, 2);
  assert.equal(t.touch(a.id), a);
  assert.equal(t.touch(c.id), c);
  assert.equal(t.touch(b.id), undefined);
});
