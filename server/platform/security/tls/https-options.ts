/**
 * Options of the HTTPS listener: the certificate and key from TLS_CERT_FILE/TLS_KEY_FILE, TLS 1.2
 * as the floor, and for TLS 1.2 only forward-secret AEAD suites (Mozilla's "intermediate"
 * profile); TLS 1.3 suites are all modern and left at Node's defaults.
 */
import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';

export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Undefined when TLS is off; throws when only one of the two files is configured. */
export function httpsOptions({ certFile, keyFile }: { certFile?: string; keyFile?: string }): ServerOptions | undefined {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new Error('TLS_CERT_FILE and TLS_KEY_FILE must be set together (or neither)');
  return {
    cert: readFileSync(certFile),
    key: readFileSync(keyFile),
    minVersion: 'TLSv1.2',
    ciphers: TLS12_CIPHERS,
    // Every suite offered is strong, so let the client pick (ChaCha20 is faster without AES-NI).
    honorCipherOrder: false,
  };
}
