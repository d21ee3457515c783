/**
 * Prometheus' label-set fingerprint (common/model `LabelSet.Fingerprint`), which Alertmanager
 * reports for every alert: FNV-1a 64 over the names in order, each name and value followed by 0xff.
 */
const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const SEPARATOR = 0xff;
const encoder = new TextEncoder();

function mix(hash: bigint, bytes: Uint8Array): bigint {
  let h = hash;
  for (const b of bytes) h = ((h ^ BigInt(b)) * PRIME) & MASK;
  return h;
}

/** 16 lowercase hex digits; label order does not matter. */
export function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  // Go sorts names by byte order; for UTF-8 that equals code-point order, which a plain
  // comparison of JS strings does not give beyond the BMP, so compare the encoded bytes.
  const names = Object.keys(labels)
    .map((n) => ({ n, bytes: encoder.encode(n) }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  let h = OFFSET;
  const sep = Uint8Array.of(SEPARATOR);
  for (const { n, bytes } of names) {
    h = mix(h, bytes);
    h = mix(h, sep);
    h = mix(h, encoder.encode(labels[n] ?? ''));
    h = mix(h, sep);
  }
  return h.toString(16).padStart(16, '0');
}
