/**
 * The Prometheus alert lifecycle of one rule, as a pure function from the previous state and one
 * evaluation's answer to the next state and its transitions. Nothing here reads a clock, stores
 * anything or sends anything: the engine persists the state and notifies on the transitions.
 *
 * Per series (one per distinct label set the source answers with):
 *   inactive → pending (condition holds, `for` not yet elapsed) → firing (held for `for`)
 *   pending, condition gone → inactive (never fired, nothing to resolve)
 *   firing, condition gone → stays firing for `keepFiringFor`, then resolved
 *   resolved → kept RESOLVED_RETENTION_MS (Prometheus re-sends resolved alerts), then dropped;
 *   resolved, condition back → pending again (a new alert, a new activeAt).
 *
 * A source answering `no-data` or `error` puts the rule (not its series) in that state, with its
 * message, and leaves every series as it was: a transient read failure must not resolve a firing
 * alert, nor fire one (Grafana's "Keep Last State"). Only the drop of expired resolved series goes
 * on, since it depends on time alone. Grafana's default for no-data is its own NoData alert; the
 * engine can raise one from `health` and `healthChanged` without this module guessing.
 */
import type { AlertSample, SourceResult } from './sources/alert-source.ts';
import { compileTemplate, type CompiledTemplate } from './templates.ts';

/** Prometheus's resolvedRetention: how long a resolved alert is still sent. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export type SeriesState = 'pending' | 'firing' | 'resolved';
/** `inactive` is a series that is not kept: it is never stored, only named in transitions. */
export type LifecycleState = SeriesState | 'inactive';
export type RuleHealth = 'ok' | 'no-data' | 'error';

export interface AlertSeries {
  fingerprint: string;
  /** Sample labels + rule labels + alertname + severity. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: SeriesState;
  value: number;
  /** When the condition started holding (Prometheus's activeAt). */
  activeAt: Date;
  firedAt: Date | undefined;
  /** The last evaluation at which the condition held (keepFiringFor counts from it). */
  lastTrueAt: Date;
  resolvedAt: Date | undefined;
}

export interface RuleState {
  health: RuleHealth;
  /** Why the rule is in no-data or error. */
  message: string | undefined;
  /** By fingerprint. */
  series: Record<string, AlertSeries>;
}

export interface Transition {
  fingerprint: string;
  labels: Record<string, string>;
  from: LifecycleState;
  to: LifecycleState;
  at: Date;
  value: number;
}

export interface RuleLifecycle {
  name: string;
  /** Milliseconds. */
  for: number;
  keepFiringFor: number;
  /** Including `severity`. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface EvaluateRuleInput {
  previous: RuleState | undefined;
  result: SourceResult;
  rule: RuleLifecycle;
  now: Date;
  fingerprint: (labels: Record<string, string>) => string;
  externalLabels?: Record<string, string>;
}

export interface EvaluateRuleOutput {
  state: RuleState;
  transitions: Transition[];
  /** Whether the rule's own health (ok, no-data, error) changed at this evaluation. */
  healthChanged: boolean;
}

export const EMPTY_RULE_STATE: RuleState = { health: 'ok', message: undefined, series: {} };

const compiled = new WeakMap<Record<string, string>, Record<string, CompiledTemplate>>();
function templatesOf(annotations: Record<string, string>): Record<string, CompiledTemplate> {
  let templates = compiled.get(annotations);
  if (!templates) {
    templates = Object.fromEntries(Object.entries(annotations).map(([key, text]) => [key, compileTemplate(text, key)]));
    compiled.set(annotations, templates);
  }
  return templates;
}

/** The labels of an alert: the rule's override the sample's, alertname overrides both. */
export function alertLabels(sample: AlertSample, rule: Pick<RuleLifecycle, 'name' | 'labels'>): Record<string, string> {
  return { ...sample.labels, ...rule.labels, alertname: rule.name };
}

export function evaluateRule({ previous = EMPTY_RULE_STATE, result, rule, now, fingerprint, externalLabels }: EvaluateRuleInput): EvaluateRuleOutput {
  const at = now.getTime();
  const transitions: Transition[] = [];
  const series: Record<string, AlertSeries> = {};
  const note = (s: AlertSeries, from: LifecycleState, to: LifecycleState) =>
    transitions.push({ fingerprint: s.fingerprint, labels: s.labels, from, to, at: now, value: s.value });
  const expired = (s: AlertSeries) => s.state === 'resolved' && s.resolvedAt !== undefined && at - s.resolvedAt.getTime() >= RESOLVED_RETENTION_MS;

  if (result.kind !== 'ok') {
    const health: RuleHealth = result.kind;
    const message = result.kind === 'no-data' ? result.reason : result.message;
    for (const [key, s] of Object.entries(previous.series)) if (!expired(s)) series[key] = s;
    return { state: { health, message, series }, transitions, healthChanged: previous.health !== health };
  }

  const templates = templatesOf(rule.annotations);
  const holding = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const sample of result.samples) {
    const labels = alertLabels(sample, rule);
    // Two samples with one label set are one series (as Prometheus refuses duplicates): the first wins.
    const key = fingerprint(labels);
    if (!holding.has(key)) holding.set(key, { labels, value: sample.value });
  }

  for (const [key, { labels, value }] of holding) {
    const annotations = Object.fromEntries(
      Object.entries(templates).map(([name, t]) => [name, t.render({ labels, value, externalLabels: externalLabels ?? {} })]),
    );
    const before = previous.series[key];
    const fresh = !before || before.state === 'resolved';
    const next: AlertSeries = fresh
      ? { fingerprint: key, labels, annotations, state: 'pending', value, activeAt: now, firedAt: undefined, lastTrueAt: now, resolvedAt: undefined }
      : { ...before, labels, annotations, value, lastTrueAt: now };
    if (next.state === 'pending' && at - next.activeAt.getTime() >= rule.for) {
      next.state = 'firing';
      next.firedAt = now;
    }
    series[key] = next;
    const from: LifecycleState = before?.state ?? 'inactive';
    if (from !== next.state) note(next, from, next.state);
  }

  for (const [key, before] of Object.entries(previous.series)) {
    if (holding.has(key)) continue;
    if (before.state === 'pending') {
      note(before, 'pending', 'inactive');
    } else if (before.state === 'firing') {
      if (at - before.lastTrueAt.getTime() < rule.keepFiringFor) {
        series[key] = before;
      } else {
        const resolved: AlertSeries = { ...before, state: 'resolved', resolvedAt: now };
        series[key] = resolved;
        note(resolved, 'firing', 'resolved');
      }
    } else if (!expired(before)) {
      series[key] = before;
    }
  }

  return { state: { health: 'ok', message: undefined, series }, transitions, healthChanged: previous.health !== 'ok' };
}
