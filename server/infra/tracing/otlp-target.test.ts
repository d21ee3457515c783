import { describe, expect, it } from 'vitest';
import { otlpHeaders, otlpTracesUrl } from './otlp-target.ts';

describe('otlpTracesUrl', () => {
  it('appends /v1/traces to the general endpoint, keeping its path', () => {
    expect(otlpTracesUrl({ otlpEndpoint: 'http://collector:4318' })).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl({ otlpEndpoint: 'https://otlp.example/otlp/' })).toBe('https://otlp.example/otlp/v1/traces');
  });

  it('uses the traces endpoint as it is, before the general one', () => {
    expect(otlpTracesUrl({ otlpEndpoint: 'http://a:4318', otlpTracesEndpoint: 'http://b:4318/custom' })).toBe('http://b:4318/custom');
  });

  it('is undefined when neither is set', () => {
    expect(otlpTracesUrl({})).toBeUndefined();
  });
});

describe('otlpHeaders', () => {
  it('reads comma-separated key=value pairs, URL-decoded, and skips empty ones', () => {
    expect(otlpHeaders('api-key=s3cr%3Dt, x-team = ops ,,')).toEqual({ 'api-key': 's3cr=t', 'x-team': 'ops' });
  });

  it('is empty when unset', () => {
    expect(otlpHeaders(undefined)).toEqual({});
  });
});
