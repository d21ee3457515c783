/** Every scenario, in the order `npm run bench` runs them. */
import type { Scenario } from '../lib/scenario.ts';
import { api } from './api.ts';
import { checks } from './checks.ts';
import { footprint } from './footprint.ts';
import { probe } from './probe.ts';
import { storage } from './storage.ts';

export const scenarios: readonly Scenario[] = [probe, api, checks, storage, footprint];
