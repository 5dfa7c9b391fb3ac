import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LineReader } from '../../../src/net/line-reader.js';
import type { RunningProxy } from '../../../src/proxy/index.js';
import { capturingLogger, makeCerts, portOf, proxyFrom, type TestCerts } from '../../unit/proxy/helpers.js';
import { startDovecot, type Dovecot } from './dovecot.js';

// swaks → proxy (STARTTLS, AUTH) → Dovecot's submission service (STARTTLS leg, XCLIENT) → a
// small SMTP sink in this process standing in for the MTA Dovecot relays to.

interface Received {
  mailFrom: string;
  rcptTo: string[];
  /** The DATA payload as the sink got it, dot-unstuffed, up to (not including) the final `.`. */
  data: Buffer;
}

/** A minimal SMTP server that accepts every message and keeps it. */
class SmtpSink {
  readonly messages: Received[] = [];
  private sockets = new Set<Socket>();
  private constructor(
    private server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<SmtpSink> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    const sink = new SmtpSink(server, a && typeof a === 'object' ? a.port : 0);
    server.on('connection', (s) => void sink.serve(s));
    return sink;
  }

  private async serve(s: Socket): Promise<void> {
    this.sockets.add(s);
    s.on('error', () => {});
    s.once('close', () => this.sockets.delete(s));
    const r = new LineReader(s, 1 << 20);
    const send = (line: string): void => void s.write(line + '\r\n');
    let current: Received | undefined;
    send('220 sink.example.com ESMTP');
    try {
      for (;;) {
        const line = await r.readLine();
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') {
          send('250-sink.example.com');
          send('250-8BITMIME');
          send('250-ENHANCEDSTATUSCODES');
          send('250 PIPELINING');
        } else if (verb === 'MAIL') {
          current = { mailFrom: line.slice(5), rcptTo: [], data: Buffer.alloc(0) };
          send('250 2.1.0 Ok');
        } else if (verb === 'RCPT' && current) {
          current.rcptTo.push(line.slice(5));
          send('250 2.1.5 Ok');
        } else if (verb === 'DATA' && current) {
          send('354 End data with <CR><LF>.<CR><LF>');
          const parts: Buffer[] = [];
          for (;;) {
            const l = await r.readLine();
            if (l === '.') break;
            parts.push(Buffer.from((l.startsWith('.') ? l.slice(1) : l) + '\r\n', 'latin1'));
          }
          current.data = Buffer.concat(parts);
          this.messages.push(current);
          current = undefined;
          send('250 2.0.0 Ok: queued as SINK1');
        } else if (verb === 'QUIT') {
          send('221 2.0.0 Bye');
          s.end();
          return;
        } else if (verb === 'RSET' || verb === 'NOOP') {
          send('250 2.0.0 Ok');
        } else {
          send('502 5.5.2 Not implemented here');
        }
      }
    } catch {
      s.destroy();
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let certs: TestCerts;
let sink: SmtpSink;
let dovecot: Dovecot;
let proxy: RunningProxy;
let dir: string;
let port: number;
const logs = capturingLogger();

before(async () => {
  certs = makeCerts();
  dir = mkdtempSync(join(tmpdir(), 'sievert-submission-'));
  sink = await SmtpSink.start();
  dovecot = await startDovecot({
    name: 'submission',
    users: { 'alice@example.com': 'alicepw' },
    masters: { master: 'masterpw' },
    certs,
    submissionRelayPort: sink.port,
  });
  proxy = await proxyFrom(
    `
[listener.submission]
protocol = "submission"
bind = ["127.0.0.1:0"]
tls = "starttls"
cert = "${certs.certFile}"
key = "${certs.keyFile}"
[destination.dovecot]
host = "127.0.0.1"
tls_server_name = "localhost"
tls_ca = "${certs.caFile}"
forwarding = "xclient"
[destination.dovecot.protocol.submission]
port = ${dovecot.ports.submission}
tls = "starttls"
[routing]
default_destination = "dovecot"
master_user_separators = ["*"]
[capabilities.submission]
hostname = "proxy.example.com"
[limits]
auth_failure_delay = 0
`,
    dir,
    logs.logger,
  );
  port = portOf(proxy, 'submission');
});

after(async () => {
  await proxy?.close(0);
  await dovecot?.stop();
  await sink?.close();
  certs?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** swaks from 127.0.0.2 through the proxy with STARTTLS; resolves with its exit code and transcript. */
function swaks(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      'swaks',
      [
        '--server',
        '127.0.0.1',
        '--port',
        String(port),
        '--local-interface',
        '127.0.0.2',
        '--tls',
        '--ehlo',
        'client.example.net',
        '--timeout',
        '15',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    p.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
    p.once('error', reject);
    const t = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

/** The headers Dovecot's submission service puts in front of the message (its Received: line). */
function splitAddedHeaders(data: Buffer): { added: string; rest: Buffer } {
  const text = data.toString('latin1');
  const m = /^Received: [^\r]*\r\n(?:[ \t][^\r]*\r\n)*/.exec(text);
  const added = m ? m[0] : '';
  return { added, rest: data.subarray(Buffer.byteLength(added, 'latin1')) };
}

// Dot-leading lines (stuffed on the wire), 8-bit bytes, a long line, a lone CR inside a line.
const message = Buffer.concat([
  Buffer.from(
    'From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: through the proxy\r\n' +
      'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
  ),
  Buffer.from('Grüße aus dem Proxy.\r\n', 'utf8'),
  Buffer.from('.a line that starts with a dot\r\n..two dots\r\n.\tdot and tab\r\n'),
  Buffer.from('x'.repeat(900) + '\r\n'),
  Buffer.from('tail\r\n'),
]);

/** The DATA portion exactly as it goes on the wire, minus the final CRLF swaks adds after the dot. */
function wireData(msg: Buffer): Buffer {
  const stuffed = msg.toString('latin1').replace(/^\./gm, '..');
  return Buffer.from(stuffed + '.', 'latin1');
}

test('swaks: STARTTLS + AUTH PLAIN through the proxy; the message reaches the relay byte-identical; Dovecot logs the client', async () => {
  const file = join(dir, 'message.eml');
  writeFileSync(file, wireData(message));
  const before = sink.messages.length;
  const r = await swaks([
    '--auth',
    'PLAIN',
    '--auth-user',
    'alice@example.com',
    '--auth-password',
    'alicepw',
    '--from',
    'alice@example.com',
    '--to',
    'bob@example.org',
    '--data',
    `@${file}`,
    '--no-data-fixup',
  ]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^<~ {2}235 2\.7\.0 Logged in\.$/m, r.out);
  assert.match(r.out, /^<~ {2}250 2\.0\.0 Ok: queued as SINK1$/m, r.out);
  assert.equal(sink.messages.length, before + 1);
  const got = sink.messages[before]!;
  assert.equal(got.mailFrom, 'FROM:<alice@example.com>');
  assert.deepEqual(got.rcptTo, ['TO:<bob@example.org>']);
  const { added, rest } = splitAddedHeaders(got.data);
  assert.ok(rest.equals(message), `message changed on the way:\n${got.data.toString('latin1')}`);
  // XCLIENT gave Dovecot the client's EHLO name and address: its Received: line shows them.
  assert.match(
    added,
    /^Received: from client\.example\.net \(\[127\.0\.0\.2\]\)\r\n\tby dovecot\.example\.com with ESMTPSA/,
  );

  const ours = logs.lines
    .map((l) => JSON.parse(l) as { session?: string; event?: string; outcome?: string; user?: string })
    .filter((l) => l.event === 'login' && l.outcome === 'ok' && l.user === 'alice@example.com');
  assert.equal(ours.length, 1);
  assert.match(
    dovecot.log(),
    new RegExp(
      `submission-login: Info: Login: user=<alice@example\\.com>, method=PLAIN, rip=127\\.0\\.0\\.2, lip=127\\.0\\.0\\.1, mpid=\\d+, TLS, session=<${ours[0]!.session}>`,
    ),
  );
  assert.match(
    dovecot.log(),
    /submission\(alice@example\.com\).*Successfully relayed message: from=<alice@example\.com>/,
  );
});

test('swaks: AUTH LOGIN as a master user (user*master) is replayed as PLAIN and routed on the user', async () => {
  const before = sink.messages.length;
  const r = await swaks([
    '--auth',
    'LOGIN',
    '--auth-user',
    'alice@example.com*master',
    '--auth-password',
    'masterpw',
    '--from',
    'alice@example.com',
    '--to',
    'carol@example.org',
    '--quit-after',
    'RCPT',
  ]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^<~ {2}235 2\.7\.0 Logged in\.$/m, r.out);
  assert.match(r.out, /^<~ {2}250 2\.1\.5 Ok$/m, r.out);
  assert.equal(sink.messages.length, before);
  assert.equal(
    dovecot
      .log()
      .match(/submission-login: Info: Login: user=<alice@example\.com>, method=PLAIN, rip=127\.0\.0\.2/g)
      ?.length,
    2,
  );
});

// Last: Dovecot delays further logins from an address after a failure (auth penalty).
test('swaks: a wrong password gets the backend 535 and nothing is relayed', async () => {
  const before = sink.messages.length;
  const r = await swaks([
    '--auth',
    'PLAIN',
    '--auth-user',
    'alice@example.com',
    '--auth-password',
    'wrong',
    '--from',
    'alice@example.com',
    '--to',
    'bob@example.org',
  ]);
  assert.notEqual(r.code, 0, r.out);
  assert.match(r.out, /^<~\* {1}535 5\.7\.8 .*$/m, r.out);
  assert.equal(sink.messages.length, before);
  const all = logs.lines.join('\n');
  for (const secret of ['alicepw', 'masterpw', 'wrong']) assert.ok(!all.includes(secret), secret);
});
