/**
 * The grouping key of a push, from its path as the Pushgateway defines it:
 * `job/<job>{/<label>/<value>}`, each value URL-encoded, or `<label>@base64/<value>` with the
 * value in URL-safe base64 (how clients send a value holding a `/`; `=` alone is the empty value).
 */
import { LABEL_NAME, PushFormatError } from './metric-families.ts';

export type GroupingKey = Record<string, string>;

export function parseGroupingKey(path: string): GroupingKey {
  const segments = path.split('/');
  if (segments.at(-1) === '') segments.pop(); // a trailing slash
  if (segments.length < 2 || segments.length % 2 !== 0)
    throw new PushFormatError('the path must be /push/metrics/job/<job> followed by /<label>/<value> pairs');
  const key: GroupingKey = {};
  for (let i = 0; i < segments.length; i += 2) {
    const [rawName = '', encoding] = decode(segments[i]!).split('@');
    const name = rawName;
    if (i === 0 && name !== 'job') throw new PushFormatError('the path must start with job/<job> (or job@base64/<job>)');
    if (encoding !== undefined && encoding !== 'base64') throw new PushFormatError(`unknown value encoding "@${encoding}" for label ${name} (only @base64)`);
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new PushFormatError(`"${name}" is not a valid label name for the grouping key`);
    if (name in key) throw new PushFormatError(`label ${name} appears twice in the grouping key`);
    const value = encoding === 'base64' ? fromBase64(segments[i + 1]!, name) : decode(segments[i + 1]!);
    if (name === 'job' && value === '') throw new PushFormatError('the job name may not be empty');
    key[name] = value;
  }
  return key;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new PushFormatError(`"${segment}" is not valid URL encoding`);
  }
}

function fromBase64(segment: string, label: string): string {
  const text = decode(segment);
  if (text === '=') return '';
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(text)) throw new PushFormatError(`the value of ${label} is not base64`);
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
}

/** The key as one stable string: the stored group's identity. */
export function groupingKeyId(key: GroupingKey): string {
  return JSON.stringify(
    Object.keys(key)
      .sort()
      .map((name) => [name, key[name]]),
  );
}
