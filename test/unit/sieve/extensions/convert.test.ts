// RFC 6558: convert, as an action and as a test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actions, errorCodes, fileinto, KEEP } from '../helpers.js';
import { hostActions, runWithHost } from './with-host.js';

const R = 'require ["convert", "fileinto"];\n';
const convert = (from: string, to: string, params: string[]) =>
  ({ type: 'convert', from, to, params }) as const;

test('§3: convert needs require "convert"', () => {
  assert.deepEqual(errorCodes('convert "image/tiff" "image/jpeg" "pix-x=320";'), ['require.missing']);
});

test('§4 example: the action is reported before the delivery it applies to', () => {
  const s = `${R}convert "image/tiff" "image/jpeg" ["pix-x=320", "pix-y=240"];\nfileinto "Pictures";`;
  assert.deepEqual(actions(s), [
    convert('image/tiff', 'image/jpeg', ['pix-x=320', 'pix-y=240']),
    fileinto('Pictures'),
  ]);
});

test('the convert action does not cancel the implicit keep', () => {
  assert.deepEqual(actions(`${R}convert "image" "image/png" "pix-x=1";`), [
    convert('image', 'image/png', ['pix-x=1']),
    KEEP,
  ]);
});

test('§4: as a test it is true and converts only when the host can convert', () => {
  const s = `${R}if convert "image/tiff" "image/jpeg" "pix-x=320" { fileinto "Converted"; }`;
  assert.deepEqual(actions(s), [KEEP]);
  const host = { canConvert: (from: string, to: string) => from === 'image/tiff' && to === 'image/jpeg' };
  assert.deepEqual(hostActions(s, host), [
    convert('image/tiff', 'image/jpeg', ['pix-x=320']),
    fileinto('Converted'),
  ]);
});

test('media types and parameters are checked at compile time', () => {
  assert.deepEqual(errorCodes(`${R}convert "image/tiff; x=1" "image/jpeg" "pix-x=1";`), [
    'convert.invalid-argument',
  ]);
  assert.deepEqual(errorCodes(`${R}convert "multipart/mixed" "text/plain" "a=b";`), [
    'convert.invalid-argument',
  ]);
  assert.deepEqual(errorCodes(`${R}convert "text/plain" "message/rfc822" "a=b";`), [
    'convert.invalid-argument',
  ]);
  assert.deepEqual(errorCodes(`${R}convert "image/tiff" "image/jpeg" "320";`), ['convert.invalid-argument']);
  assert.deepEqual(errorCodes(`${R}if convert "" "image/jpeg" "a=b" { keep; }`), [
    'convert.invalid-argument',
  ]);
});

test('values known only at run time are checked then (a run-time error)', () => {
  const r = runWithHost(
    `require ["convert", "variables"];\nset "t" "multipart/mixed";\nconvert "\${t}" "text/plain" "a=b";`,
    {},
  );
  assert.match(r.error?.message ?? '', /cannot be converted/);
});
