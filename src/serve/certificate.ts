import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertificateFiles {
  cert: string;
  key: string;
  /** True when this call created them. */
  generated: boolean;
  /** SHA-256 of the certificate (colon-separated hex), for clients that pin it. */
  fingerprint: string;
}

/**
 * The self-signed certificate in `<dataDir>/tls/`, generated with the openssl command on first
 * start so that STARTTLS works out of the box (clients must accept or pin it; configure a real
 * certificate with `cert` and `key`). Both files are written under temporary names and renamed,
 * so a crash never leaves half a key; the key is readable by its owner only.
 */
export async function ensureSelfSignedCertificate(dataDir: string): Promise<CertificateFiles> {
  const dir = join(dataDir, 'tls');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  let generated = false;
  if (!existsSync(cert) || !existsSync(key)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const host = hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'localhost';
    const names = [...new Set(['localhost', host])].map((n) => `DNS:${n}`).join(',');
    const tmpCert = `${cert}.tmp`;
    const tmpKey = `${key}.tmp`;
    try {
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '825',
        '-subj',
        `/CN=${host}`,
        '-addext',
        `subjectAltName=${names},IP:127.0.0.1,IP:::1`,
        '-keyout',
        tmpKey,
        '-out',
        tmpCert,
      ]);
    } catch (e) {
      rmSync(tmpCert, { force: true });
      rmSync(tmpKey, { force: true });
      throw new Error(
        `cannot generate a TLS certificate with openssl (${(e as Error).message.split('\n')[0]}); ` +
          'install openssl, or set managesieve.cert and managesieve.key',
      );
    }
    chmodSync(tmpKey, 0o600);
    renameSync(tmpKey, key);
    renameSync(tmpCert, cert);
    generated = true;
  }
  return { cert, key, generated, fingerprint: new X509Certificate(readFileSync(cert)).fingerprint256 };
}
