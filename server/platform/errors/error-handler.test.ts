import { describe, expect, it } from 'vitest';
import { CircuitOpenError } from '../../infra/circuit-breaker.ts';
import { isDependencyUnavailable } from './error-handler.ts';

describe('isDependencyUnavailable', () => {
  it.each([
    ['pg query_timeout', new Error('Query read timeout')],
    ['pg connection timeout', new Error('timeout exceeded when trying to connect')],
    ['ioredis command timeout', new Error('Command timed out')],
    ['ioredis without a connection', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['the Redis circuit breaker', new CircuitOpenError('Redis')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
    ['a PostgreSQL shutdown', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
  ])('classes %s as a dependency that is unavailable (503)', (_name, error) => {
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('leaves a bug in the code a 500', () => {
    expect(isDependencyUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDependencyUnavailable(Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' }))).toBe(false);
  });
});
