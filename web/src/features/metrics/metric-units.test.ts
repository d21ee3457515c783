import { describe, expect, it } from 'vitest';
import { formatMetricValue, unitOfMetricName } from './metric-units.ts';

describe('formatMetricValue', () => {
  it('writes bytes in binary units, three significant digits at most', () => {
    expect(formatMetricValue(512, 'bytes')).toBe('512 B');
    expect(formatMetricValue(1536, 'bytes')).toBe('1.5 KiB');
    expect(formatMetricValue(150 * 1024 * 1024, 'bytes')).toBe('150 MiB');
    expect(formatMetricValue(8.25 * 1024 ** 3, 'bytes')).toBe('8.25 GiB');
    expect(formatMetricValue(2 * 1024 ** 2, 'bytes-per-second')).toBe('2 MiB/s');
  });

  it('writes a ratio as a percent', () => {
    expect(formatMetricValue(0.9, 'ratio')).toBe('90 %');
    expect(formatMetricValue(0.1234, 'ratio')).toBe('12.3 %');
    expect(formatMetricValue(0.00012, 'ratio')).toBe('0.01 %');
    expect(formatMetricValue(0, 'ratio')).toBe('0 %');
  });

  it('writes seconds in the unit that reads best', () => {
    expect(formatMetricValue(0.0123, 'seconds')).toBe('12.3 ms');
    expect(formatMetricValue(0.00005, 'seconds')).toBe('50 µs');
    expect(formatMetricValue(2.5, 'seconds')).toBe('2.5 s');
  });

  it('writes rates and counts', () => {
    expect(formatMetricValue(12.345, 'requests-per-second')).toBe('12.3 req/s');
    expect(formatMetricValue(12345.4, 'count')).toBe('12,345');
    expect(formatMetricValue(0.52, 'number')).toBe('0.52');
  });

  it('writes a dash where a step has no value', () => {
    expect(formatMetricValue(null, 'bytes')).toBe('—');
    expect(formatMetricValue(Number.NaN, 'ratio')).toBe('—');
  });
});

describe('unitOfMetricName', () => {
  it('reads the unit from the name’s suffix', () => {
    expect(unitOfMetricName('watchkeeper_host_network_receive_bytes_per_second')).toBe('bytes-per-second');
    expect(unitOfMetricName('watchkeeper_cache_memory_used_bytes')).toBe('bytes');
    expect(unitOfMetricName('watchkeeper_cache_hit_ratio')).toBe('ratio');
    expect(unitOfMetricName('watchkeeper_event_loop_delay_p99_seconds')).toBe('seconds');
    expect(unitOfMetricName('watchkeeper_database_pool_connections')).toBe('count');
    expect(unitOfMetricName('shop_basket_value')).toBe('number');
  });
});
