/** `watchkeeper tls dev-cert`: writes a self-signed certificate and prints the settings to use it. */
import type { Config } from '../../../infra/config/index.ts';
import { DevCertificateExistsError, generateDevCertificate } from './dev-cert.ts';

export interface DevCertCommandOptions {
  config: Config;
  hosts?: string[];
  days?: string;
  force?: boolean;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

export async function runDevCert({
  config,
  hosts,
  days = '365',
  force = false,
  out = process.stdout,
  err = process.stderr,
}: DevCertCommandOptions): Promise<number> {
  const validity = Number(days);
  // 825 days is the longest validity Apple platforms accept for a TLS server certificate.
  if (!Number.isInteger(validity) || validity < 1 || validity > 825) {
    err.write(`watchkeeper: --days must be a whole number of days from 1 to 825 (got ${JSON.stringify(days)})\n`);
    return 2;
  }
  try {
    const cert = await generateDevCertificate({ dataDir: config.storage.dataDir, ...(hosts?.length ? { hosts } : {}), days: validity, force });
    out.write(
      [
        `wrote a self-signed certificate for ${cert.hosts.join(', ')}, valid until ${cert.notAfter.toISOString()}`,
        `  certificate  ${cert.certFile}`,
        `  private key  ${cert.keyFile} (mode 0600)`,
        `  SHA-1 fingerprint ${cert.fingerprint}`,
        '',
        'serve HTTPS with it:',
        `  TLS_CERT_FILE=${cert.certFile} TLS_KEY_FILE=${cert.keyFile} watchkeeper start`,
        'for local use only: clients must be told to trust it (e.g. curl --cacert, or the OS trust store)',
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (error instanceof DevCertificateExistsError) {
      err.write(`watchkeeper: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
