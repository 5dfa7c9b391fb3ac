// `sievert deliver`: a message piped by the MTA is carried as LMTP would carry it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pipedMessage } from '../../../src/cli/deliver.js';

test('a piped message loses its mbox "From " line and gets CRLF line ends', () => {
  const piped = 'From sender@example.net Sat Nov 21 10:00:00 2026\nSubject: piped\r\n\nbody\n';
  assert.equal(pipedMessage(Buffer.from(piped)).toString(), 'Subject: piped\r\n\r\nbody\r\n');
  // Only a first line "From " is the envelope; a header field "From:" stays.
  assert.equal(pipedMessage(Buffer.from('From: a@b\nx\n')).toString(), 'From: a@b\r\nx\r\n');
  // 8-bit octets pass through unchanged.
  const eight = Buffer.from([0x53, 0xe9, 0xff, 0x0a]);
  assert.deepEqual(pipedMessage(eight), Buffer.from([0x53, 0xe9, 0xff, 0x0d, 0x0a]));
});
