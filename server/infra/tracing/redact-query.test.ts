import { describe, expect, it } from 'vitest';
import { redactedUrlAttributes } from './redact-query.ts';

describe('redactedUrlAttributes', () => {
  it('replaces every value of the query, keeping its keys', () => {
    expect(redactedUrlAttributes({ origin: 'https://api.example', path: '/health?token=s3cret&region=eu&token=again' })).toEqual({
      'url.full': 'https://api.example/health?token=REDACTED&region=REDACTED',
      'url.query': '?token=REDACTED&region=REDACTED',
    });
  });

  it('leaves a URL without a query as the instrumentation records it', () => {
    expect(redactedUrlAttributes({ origin: 'https://api.example', path: '/health' })).toEqual({});
  });
});
