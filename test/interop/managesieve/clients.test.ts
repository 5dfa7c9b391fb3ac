import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeCerts, type TestCerts } from '../../unit/proxy/helpers.js';
import type { PasswdUser } from './common.js';
import { startDovecotManageSieve, type DovecotManageSieve } from './dovecot-managesieve.js';
import { startSievertServe, type SievertServe } from './sievert-serve.js';
import { NET_SIEVE, netSieveSession, sievelibSession } from '../managesieve-drivers.js';
import { runSieveConnect } from './sieve-connect.js';

// Real ManageSieve clients against Dovecot's managesieved (which validates the drivers) and
// against `sievert serve`: sieve-connect (Perl), python3-sievelib, PHP Net_Sieve (Roundcube,
// Horde). Each uploads, lists, activates, downloads (octet for octet), checks and deletes.

const users: PasswdUser[] = ['connect', 'sievelib', 'netsieve'].map((u) => ({
  user: `${u}@example.com`,
  password: '{PLAIN}clientpw',
}));

const script = [
  'require ["fileinto", "vacation"];',
  '# a comment with "quotes", a backslash \\ and UTF-8: Grüße',
  'if header :contains "subject" ["[spam]", "viagra"] {',
  '    fileinto "Junk";',
  '    stop;',
  '}',
  'vacation :days 7 "Away until Monday.";',
  '',
].join('\r\n');
const invalid = 'keep;\r\nfileinto "x";\r\n';

let certs: TestCerts;
let dir: string;
before(() => {
  certs = makeCerts();
  dir = mkdtempSync(join(tmpdir(), 'sievert-ms-clients-'));
});
after(() => {
  certs?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
function file(content: string): string {
  const f = join(dir, `f${++fileCount}`);
  writeFileSync(f, content);
  return f;
}

function clientSuite(port: () => number): void {
  /** sieve-connect as connect@example.com; `commands` as for --exec. */
  const sieveConnect = (commands: string[]) =>
    runSieveConnect({
      port: port(),
      caFile: certs.caFile,
      user: 'connect@example.com',
      password: 'clientpw',
      args: ['--exec', file(commands.join('\n') + '\n')],
    });

  test('sieve-connect: STARTTLS, PLAIN literal, upload, list, activate, download, checkscript, delete', async () => {
    const local = file(script);
    const downloaded = join(dir, `downloaded-${fileCount}`);
    const r = await sieveConnect([
      `upload ${local} main`,
      'list',
      'activate main',
      'list',
      `download main ${downloaded}`,
      `checkscript ${local}`,
      'deactivate',
      'delete main',
      'list',
      'quit',
    ]);
    assert.equal(r.code, 0, r.out);
    // sieve-connect checks the capability block (e.g. NOTIFY must come with enotify).
    assert.doesNotMatch(r.out, /violates|warning|failed/i, r.out);
    assert.deepEqual(readFileSync(downloaded), Buffer.from(script), 'downloaded octet for octet');
    assert.match(r.out, /^"main"\s*$/m, r.out);
    assert.match(r.out, /^"main"\s+ACTIVE\s*$/m, r.out);
    const bad = await sieveConnect([`checkscript ${file(invalid)}`, 'quit']);
    assert.match(bad.out, /CHECKSCRIPT failed: NO[\s\S]*line 2/, bad.out);
  });

  test('sieve-connect: a wrong password is refused', async () => {
    const r = await runSieveConnect({
      port: port(),
      caFile: certs.caFile,
      user: 'connect@example.com',
      password: 'wrong',
      args: ['--list'],
    });
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /Authentication refused by server/, r.out);
  });

  test('python3-sievelib: STARTTLS, PLAIN, putscript, listscripts, setactive, getscript, checkscript, havespace, deletescript', async () => {
    // Debian's interpreter: python3-sievelib is installed for it, not for other pythons on PATH.
    const r = await sievelibSession({
      port: port(),
      user: 'sievelib@example.com',
      password: 'clientpw',
      script,
      invalid,
    });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^LIST \(None, \['py'\]\)$/m);
    assert.match(r.out, /^ACTIVE py$/m);
    assert.match(r.out, /^SAME$/m);
    assert.match(r.out, /^CHECK True$/m);
    assert.match(r.out, /^CHECKBAD False .*line 2/m);
    assert.match(r.out, /^SPACE True$/m);
    assert.match(r.out, /^AFTER \(None, \[\]\)$/m);
  });

  test(
    'PHP Net_Sieve: STARTTLS with certificate checks, PLAIN, install, list, activate, get, havespace, remove',
    { skip: existsSync(NET_SIEVE) ? false : `${NET_SIEVE} missing: apt-get install php-cli php-net-sieve` },
    async () => {
      const r = await netSieveSession({
        port: port(),
        user: 'netsieve@example.com',
        password: 'clientpw',
        script,
        invalid,
        caFile: certs.caFile,
      });
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /^ACTIVE php$/m);
      assert.match(r.out, /^LIST php$/m);
      assert.match(r.out, /^SAME$/m);
      assert.match(r.out, /^BAD .*line 2/m);
      assert.match(r.out, /^SPACE yes$/m);
      assert.match(r.out, /^AFTER $/m);
    },
  );
}

describe("Dovecot's managesieved (validates the client drivers)", () => {
  let dovecot: DovecotManageSieve | undefined;
  before(async () => {
    dovecot = await startDovecotManageSieve({ name: 'clients', users, certs });
  });
  after(async () => {
    await dovecot?.stop();
  });
  clientSuite(() => dovecot!.port);
});

describe('sievert serve', () => {
  let sievert: SievertServe | undefined;
  before(async () => {
    const d = mkdtempSync(join(dir, 'serve-'));
    sievert = await startSievertServe({ dir: d, users, cert: certs.certFile, key: certs.keyFile });
  });
  after(async () => {
    await sievert?.stop();
  });
  clientSuite(() => sievert!.port);
});
