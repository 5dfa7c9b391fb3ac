// The runner's test mail store: what test_result_execute does with the result's actions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeAction, MailStore, Outbox } from '../../../src/testsuite/mailstore.js';

const envelope = { from: 'a@example.com', to: 'b@example.org' };
const RAW = 'From: a@example.com\r\n\r\nbody\r\n';

function fileinto(store: MailStore, mailbox: string, create: boolean): string | null {
  return executeAction(
    { action: { type: 'fileinto', mailbox, flags: [], copy: false, create }, raw: RAW, envelope },
    store,
    new Outbox(),
    [],
    {},
  );
}

test('a mailbox name with an empty hierarchy level cannot be stored into, even with :create', () => {
  const store = new MailStore();
  for (const name of ['foo//somedomain/org', '/foo', 'foo/', '']) {
    assert.match(
      fileinto(store, name, true) ?? '',
      /failed to store into mailbox .*: invalid mailbox name/,
      name,
    );
    assert.equal(store.exists(name), false, name);
  }
  assert.equal(fileinto(store, 'foo/somedomain/org', true), null);
  assert.equal(store.message('foo/somedomain/org', 0)?.raw, RAW);
  // A missing mailbox without :create is another error.
  assert.match(fileinto(store, 'FROP', false) ?? '', /failed to store into mailbox 'FROP': .*exist/);
});
