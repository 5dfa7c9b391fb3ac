// The envelope a lone message implies (sievert test without --from/--to, the test suite).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { impliedEnvelope, parseMessage } from '../../../src/sieve/index.js';

const env = (headers: string): { from: string; to: string } =>
  impliedEnvelope(parseMessage(new TextEncoder().encode(`${headers}\r\n\r\nbody\r\n`)));

test('recipient: Envelope-To, else To, else recipient@example.com', () => {
  assert.equal(env('Envelope-To: a@x.org\r\nTo: b@x.org').to, 'a@x.org');
  assert.equal(env('To: "B" <b@x.org>, c@x.org').to, 'b@x.org');
  assert.equal(env('Subject: none').to, 'recipient@example.com');
});

test('sender: Return-Path, else Sender, else From, else sender@example.com; <> is the null sender', () => {
  assert.equal(env('Return-Path: <r@x.org>\r\nSender: s@x.org\r\nFrom: f@x.org').from, 'r@x.org');
  assert.equal(env('Sender: s@x.org\r\nFrom: f@x.org').from, 's@x.org');
  assert.equal(env('From: Fred <f@x.org>').from, 'f@x.org');
  assert.equal(env('Subject: none').from, 'sender@example.com');
  assert.equal(env('Return-Path: < >\r\nFrom: f@x.org').from, '');
});

test('an address without a local part is passed over', () => {
  assert.equal(env('Sender: @x.org\r\nFrom: f@x.org').from, 'f@x.org');
});
