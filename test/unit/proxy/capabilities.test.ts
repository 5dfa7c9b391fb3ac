// The IMAP backend's capability lists: parsed once per distinct text, shared, and never mutable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilitiesIn } from '../../../src/proxy/imap.js';

test('capability lists come from a response code or an untagged CAPABILITY line, else none', () => {
  assert.deepEqual(capabilitiesIn('* OK [CAPABILITY IMAP4rev1  LITERAL+ ] ready'), ['IMAP4rev1', 'LITERAL+']);
  assert.deepEqual(capabilitiesIn('* CAPABILITY IMAP4rev1 ID'), ['IMAP4rev1', 'ID']);
  assert.equal(capabilitiesIn('Logged in'), undefined);
  // Looked at again (the memo): the same answer, including "none".
  assert.equal(capabilitiesIn('Logged in'), undefined);
  assert.deepEqual(capabilitiesIn('* CAPABILITY IMAP4rev1 ID'), ['IMAP4rev1', 'ID']);
});

test('a shared list cannot be changed by one session for the next', () => {
  const caps = capabilitiesIn('* OK [CAPABILITY IMAP4rev1 SASL-IR] hi')!;
  assert.throws(() => (caps as string[]).push('STARTTLS'), TypeError);
  assert.deepEqual(capabilitiesIn('* OK [CAPABILITY IMAP4rev1 SASL-IR] hi'), ['IMAP4rev1', 'SASL-IR']);
});

test('texts longer than the memo takes and more texts than it holds are still parsed', () => {
  const long = `* CAPABILITY IMAP4rev1 ${'X'.repeat(2000)}`;
  assert.equal(capabilitiesIn(long)?.length, 2);
  for (let i = 0; i < 600; i++) assert.deepEqual(capabilitiesIn(`* CAPABILITY C${i}`), [`C${i}`]);
  assert.deepEqual(capabilitiesIn('* CAPABILITY C0'), ['C0']);
});
