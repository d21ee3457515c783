/** Every scenario, in the order `npm run bench` runs them. */
import type { Scenario } from '../lib/scenario.ts';
import { api } from './api.ts';
import { checks } from './checks.ts';
import { footprint } from './footprint.ts';
import { metrics } from './metrics.ts';
import { probe } from './probe.ts';
import { soak } from './soak.ts';
import { storage } from './storage.ts';
import { stress } from './stress.ts';

export const scenarios: readonly Scenario[] = [probe, api, stress, checks, metrics, storage, footprint, soak];
