/** Health history: each component's status over time, how long its checks take, and what is failing now. */
import { dashboard, queryVariable, sel, stat, stateTimeline, table, timeseries, jobVariable, instanceVariable, type Mappings } from './panels.ts';

export const HEALTH_UID = 'watchkeeper-health';

/** watchkeeper_health_status: 0 pass, 1 warn, 2 fail. */
export const HEALTH_MAPPINGS: Mappings = { 0: ['pass', 'green'], 1: ['warn', 'yellow'], 2: ['fail', 'red'] };

const status = (matchers = '') => sel('watchkeeper_health_status', `component=~"$component"${matchers ? `, ${matchers}` : ''}`);
/** Components, not series: every instance reports the same components, so each counts once. */
const componentsAt = (value: number, matchers = '') => `count(max by (component) (${status(matchers)}) == ${value}) or vector(0)`;

export const healthDashboard = dashboard({
  uid: HEALTH_UID,
  title: 'Health history',
  description: 'Watchkeeper’s health components: status over time (0 pass, 1 warn, 2 fail), check durations, and those failing or degraded now.',
  variables: [
    jobVariable,
    instanceVariable,
    queryVariable({ name: 'component', label: 'Component', query: 'label_values(watchkeeper_health_status{job=~"$job", instance=~"$instance"}, component)' }),
  ],
  panels: [
    stat({
      title: 'Critical components failing',
      description: 'Critical components whose latest check failed: readiness fails while any does.',
      thresholds: [
        ['green', null],
        ['red', 1],
      ],
      queries: [{ expr: componentsAt(2, 'critical="true"') }],
    }),
    stat({
      title: 'Components failing',
      description: 'Components whose latest check failed.',
      thresholds: [
        ['green', null],
        ['red', 1],
      ],
      queries: [{ expr: componentsAt(2) }],
    }),
    stat({
      title: 'Components degraded',
      description: 'Components whose latest check warned.',
      thresholds: [
        ['green', null],
        ['yellow', 1],
      ],
      queries: [{ expr: componentsAt(1) }],
    }),
    stat({
      title: 'Components passing',
      description: 'Components whose latest check passed.',
      queries: [{ expr: componentsAt(0) }],
    }),
    stat({
      title: 'Slowest check',
      description: 'The longest a component’s latest check took.',
      unit: 's',
      width: 8,
      queries: [{ expr: `max(${sel('watchkeeper_health_check_duration_seconds', 'component=~"$component"')})` }],
    }),
    stateTimeline({
      title: 'Status by component',
      description:
        'Each component’s status over time (the worst any instance reported): pass, warn or fail. Narrow it with the Component variable when there are many.',
      width: 24,
      height: 12,
      mappings: HEALTH_MAPPINGS,
      queries: [{ expr: `max by (component) (${status()})`, legend: '{{component}}' }],
    }),
    table({
      title: 'Failing or degraded now',
      description: 'Components whose latest check warned or failed, with their type and whether they are critical.',
      mappings: HEALTH_MAPPINGS,
      queries: [{ expr: `max by (component, type, critical) (${status()}) > 0` }],
    }),
    table({
      title: 'Most status changes',
      description: 'The components whose status changed most often over the dashboard’s range: flapping checks.',
      queries: [{ expr: `topk(10, sum by (component) (changes(${status()}[$__range]))) > 0` }],
    }),
    timeseries({
      title: 'Check duration by component',
      description: 'How long each component’s latest check took (the slowest instance’s).',
      unit: 's',
      width: 24,
      queries: [{ expr: `max by (component) (${sel('watchkeeper_health_check_duration_seconds', 'component=~"$component"')})`, legend: '{{component}}' }],
    }),
  ],
});
