// sievert --capabilities: the SIEVE capability string of ManageSieve (RFC 5804 §1.7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sievert as run } from './run.js';
import { createEngine } from '../../../src/sieve/index.js';

test('--capabilities prints the engine capabilities, space-separated, on one line', () => {
  const r = sievert('--capabilities');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, createEngine().capabilities().join(' ') + '\n');
  for (const c of ['fileinto', 'ihave', 'environment', 'mailbox'])
    assert.ok(r.stdout.split(' ').includes(c), c);
});

test('without a command or --capabilities the usage is an error', () => {
  assert.equal(sievert().code, 2);
});

function sievert(...args: string[]): { code: number; stdout: string } {
  return run(args);
}
