// The self-signed certificate `sievert serve` makes on first start, and what happens without openssl.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ensureSelfSignedCertificate } from '../../../src/serve/certificate.js';

const dir = mkdtempSync(join(tmpdir(), 'sievert-cert-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('generated once, the key readable by its owner only; later starts reuse it', async () => {
  const first = await ensureSelfSignedCertificate(join(dir, 'a'));
  assert.equal(first.generated, true);
  assert.equal(statSync(first.key).mode & 0o777, 0o600);
  assert.match(first.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const again = await ensureSelfSignedCertificate(join(dir, 'a'));
  assert.equal(again.generated, false);
  assert.equal(again.fingerprint, first.fingerprint);
});

test('without openssl the start fails naming the keys to set, and leaves no half-written files', async () => {
  const path = process.env.PATH;
  process.env.PATH = join(dir, 'empty');
  try {
    await assert.rejects(
      ensureSelfSignedCertificate(join(dir, 'b')),
      /managesieve\.cert and managesieve\.key/,
    );
  } finally {
    process.env.PATH = path;
  }
  assert.deepEqual(readdirSync(join(dir, 'b', 'tls')), []);
});
