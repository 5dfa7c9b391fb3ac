import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { makeCerts, type TestCerts } from '../../unit/proxy/helpers.js';
import { startDovecotManageSieve, type DovecotManageSieve } from './dovecot-managesieve.js';
import {
  DOVECOT_EXPECTATIONS,
  MAX_SCRIPT_SIZE,
  SIEVERT_EXPECTATIONS,
  SUITE_USERS,
  protocolSuite,
  type ServerUnderTest,
} from './protocol-suite.js';
import { startSievertServe, type SievertServe } from './sievert-serve.js';

// The same RFC 5804 suite against Dovecot's managesieved (the reference) and `sievert serve`.
let certs: TestCerts;
before(() => {
  certs = makeCerts();
});
after(() => certs?.cleanup());

describe("Dovecot's managesieved", () => {
  let dovecot: DovecotManageSieve | undefined;
  let server: ServerUnderTest;
  before(async () => {
    dovecot = await startDovecotManageSieve({
      name: 'protocol',
      users: SUITE_USERS,
      certs,
      maxScriptSize: MAX_SCRIPT_SIZE,
    });
    server = { port: dovecot.port, ca: certs.ca, expect: DOVECOT_EXPECTATIONS };
  });
  after(async () => {
    await dovecot?.stop();
  });
  protocolSuite(() => server);
});

describe('sievert serve', () => {
  let sievert: SievertServe | undefined;
  let dir: string;
  let server: ServerUnderTest;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sievert-ms-protocol-'));
    sievert = await startSievertServe({
      dir,
      users: SUITE_USERS,
      tls: 'starttls',
      cert: certs.certFile,
      key: certs.keyFile,
      maxScriptSize: MAX_SCRIPT_SIZE,
    });
    server = { port: sievert.port, ca: certs.ca, expect: SIEVERT_EXPECTATIONS };
  });
  after(async () => {
    await sievert?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  protocolSuite(() => server);
});
