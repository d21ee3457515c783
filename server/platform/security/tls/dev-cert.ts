/**
 * `watchkeeper tls dev-cert`: a self-signed certificate for running HTTPS locally, written to
 * DATA_DIR/tls with the key readable by its owner only. Browsers will warn about it; import the
 * certificate into the local trust store (or pass it as the CA to a client) to stop that.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { generate } from 'selfsigned';

export interface DevCertificate {
  certFile: string;
  keyFile: string;
  hosts: string[];
  notAfter: Date;
  fingerprint: string;
}

export class DevCertificateExistsError extends Error {}

export async function generateDevCertificate({
  dataDir,
  hosts = ['localhost', '127.0.0.1', '::1'],
  days = 365,
  force = false,
}: {
  dataDir: string;
  hosts?: string[];
  days?: number;
  force?: boolean;
}): Promise<DevCertificate> {
  const dir = resolve(dataDir, 'tls');
  const certFile = join(dir, 'dev-cert.pem');
  const keyFile = join(dir, 'dev-key.pem');
  if (!force && (existsSync(certFile) || existsSync(keyFile))) {
    throw new DevCertificateExistsError(`${certFile} already exists; pass --force to replace it`);
  }
  const notBefore = new Date();
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const pems = await generate(
    [
      { name: 'commonName', value: hosts[0] ?? 'localhost' },
      { name: 'organizationName', value: 'Watchkeeper development' },
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: notBefore,
      notAfterDate: notAfter,
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        // DNS names are type 2, IP addresses type 7.
        { name: 'subjectAltName', altNames: hosts.map((host) => (isIP(host) ? { type: 7, ip: host } : { type: 2, value: host })) },
      ],
    },
  );
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  chmodSync(keyFile, 0o600); // writeFileSync's mode applies only when it creates the file
  writeFileSync(certFile, pems.cert, { mode: 0o644 });
  return { certFile, keyFile, hosts, notAfter, fingerprint: pems.fingerprint };
}
