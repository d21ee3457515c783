/**
 * An alert's receivers and suppression as the API v2 reports them: silenced by the active
 * silences whose matchers match it, inhibited by the firing alerts an inhibition rule lets mute
 * it, muted by the time intervals of its routes. Any of those makes it `suppressed`.
 */
import type { GettableAlert } from '../../../contracts/alertmanager.ts';
import type { ResolvedAlertingConfig } from './alerting-config.ts';
import type { StoredAlert } from './alerts-repository.ts';
import { matchesAll, type Matcher } from './routing/matchers.ts';

export interface SuppressionContext {
  config: ResolvedAlertingConfig;
  /** The active silences, matchers compiled. */
  silences: readonly { id: string; matchers: readonly Matcher[] }[];
  firing: readonly StoredAlert[];
  now: Date;
}

export function alertStatusOf(
  alert: StoredAlert,
  { config, silences, firing, now }: SuppressionContext,
): { receivers: string[]; status: GettableAlert['status'] } {
  const silencedBy = silences.filter((silence) => matchesAll(silence.matchers, alert.labels)).map((silence) => silence.id);
  const inhibitedBy = config.inhibitedBy(
    alert.labels,
    firing.filter((other) => other.fingerprint !== alert.fingerprint),
  );
  const mutedBy = config.mutedBy(alert.labels, now);
  const suppressed = silencedBy.length > 0 || inhibitedBy.length > 0 || mutedBy.length > 0;
  return { receivers: config.receiversOf(alert.labels), status: { state: suppressed ? 'suppressed' : 'active', silencedBy, inhibitedBy, mutedBy } };
}
