/**
 * The attributes of an outgoing request's span with its query's values replaced: a checked
 * service's URL may carry a token in its query (the health report leaves the query out for the
 * same reason), and the undici instrumentation records the URL whole.
 */
export const REDACTED = 'REDACTED';

export function redactedUrlAttributes({ origin, path }: { origin?: string | URL; path: string }): Record<string, string> {
  let url: URL;
  try {
    url = new URL(path, origin);
  } catch {
    return {};
  }
  if (!url.search) return {};
  url.search = [...new Set(url.searchParams.keys())].map((key) => `${encodeURIComponent(key)}=${REDACTED}`).join('&');
  return { 'url.full': url.toString(), 'url.query': url.search };
}
