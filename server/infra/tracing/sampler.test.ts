import { describe, expect, it } from 'vitest';
import { samplerFor } from './sampler.ts';

describe('samplerFor', () => {
  it.each([
    ['always_on', 'AlwaysOnSampler'],
    ['always_off', 'AlwaysOffSampler'],
    ['traceidratio', 'TraceIdRatioBased{0.25}'],
    ['parentbased_always_on', 'ParentBased{root=AlwaysOnSampler'],
    ['parentbased_always_off', 'ParentBased{root=AlwaysOffSampler'],
    ['parentbased_traceidratio', 'ParentBased{root=TraceIdRatioBased{0.25}'],
  ] as const)('builds %s as the specification defines it', (sampler, description) => {
    expect(samplerFor({ sampler, samplerArg: 0.25 }).toString()).toContain(description);
  });
});
