import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { ComponentState } from '../../health/index.ts';
import { parseBlockStat, parseNetDev, readHostIo } from './host-io.ts';
import { createResourceSampler } from './resource-sampler.ts';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 1062042    3772    0    0    0     0          0         0  1062042    3772    0    0    0     0       0          0
  eth0:    5000      10    0    0    0     0          0         0     7000      12    0    0    0     0       0          0
  eth1:     100       1    0    0    0     0          0         0      200       2    0    0    0     0       0          0
`;

describe('the host’s byte counters', () => {
  it('sums received and transmitted bytes over every interface but loopback', () => {
    expect(parseNetDev(NET_DEV)).toEqual({ receivedBytes: 5100, transmittedBytes: 7200 });
    expect(parseNetDev(NET_DEV.split('\n').slice(0, 3).join('\n'))).toBeUndefined();
  });

  it('reads a block device’s sectors read and written as bytes (512 per sector)', () => {
    expect(parseBlockStat('   44927     7395  1786570     6018    52034    78936  6296440    32639        0     7128    39772')).toEqual({
      readBytes: 1786570 * 512,
      writtenBytes: 6296440 * 512,
    });
    expect(parseBlockStat('garbage')).toBeUndefined();
  });

  it('leaves out what the system does not give instead of guessing', async () => {
    expect(await readHostIo('/nowhere', '/nonexistent-root')).toEqual({});
  });
});

describe('the sampler’s health points', () => {
  const state = (id: string, projectId: string, checkedAt: number, latencyMs = 12): ComponentState =>
    ({
      id,
      scope: { organizationId: 'o', projectId },
      componentType: 'component',
      status: 'warn',
      latencyMs,
      checkedAt: new Date(checkedAt),
    }) as ComponentState;

  it('records each check once, in the project of its component, with its duration and status', async () => {
    let now = 1_000_000;
    let states = [state('api', 'tenant-project', now - 5000), state('database', 'system-project', now - 1000)];
    const sampler = createResourceSampler({
      projectId: 'system-project',
      instance: 'host:1',
      registry: new Registry(),
      dataDir: await mkdtemp(join(tmpdir(), 'wk-sampler-')),
      poolStats: () => ({ total: 1, idle: 1, waiting: 0 }) as never,
      cacheStats: () => Promise.reject(new Error('no cache')),
      healthStates: () => states,
      hostIo: async () => ({}),
      now: () => now,
    });
    const health = (points: Awaited<ReturnType<typeof sampler.sample>>) => points.filter((p) => p.name.startsWith('watchkeeper_health_'));
    expect(health(await sampler.sample())).toEqual([
      { projectId: 'tenant-project', name: 'watchkeeper_health_status', labels: { instance: 'host:1', component: 'api', type: 'component' }, value: 1 },
      {
        projectId: 'tenant-project',
        name: 'watchkeeper_health_check_duration_seconds',
        labels: { instance: 'host:1', component: 'api', type: 'component' },
        value: 0.012,
      },
      { projectId: 'system-project', name: 'watchkeeper_health_status', labels: { instance: 'host:1', component: 'database', type: 'component' }, value: 1 },
      {
        projectId: 'system-project',
        name: 'watchkeeper_health_check_duration_seconds',
        labels: { instance: 'host:1', component: 'database', type: 'component' },
        value: 0.012,
      },
    ]);
    now += 15_000;
    states = [state('api', 'tenant-project', now - 2000, 30), states[1]!];
    expect(health(await sampler.sample()).map((p) => [p.labels.component, p.value])).toEqual([
      ['api', 1],
      ['api', 0.03],
    ]);
    sampler.stop();
  });
});
