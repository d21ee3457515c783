/**
 * What a receiver is sent about one alert group: the Alertmanager webhook payload (version 4), so
 * receivers written for Alertmanager work unchanged. Every channel renders its message from this.
 */
export interface NotifiedAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339. */
  startsAt: string;
  /** RFC 3339; `0001-01-01T00:00:00Z` while firing with no end known, as Alertmanager sends. */
  endsAt: string;
  generatorURL: string;
  /** Alertmanager's label-set fingerprint (16 hex digits). */
  fingerprint: string;
}

export interface Notification {
  version: '4';
  /** The receiver's name. */
  receiver: string;
  /** `firing` when any alert of the group fires. */
  status: 'firing' | 'resolved';
  alerts: NotifiedAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  /** Where Watchkeeper's dashboard is reached (links in messages point there). */
  externalURL: string;
  /** Identifies the group in its route: `{}/{severity="page"}:{alertname="DatabaseDown"}`. */
  groupKey: string;
  truncatedAlerts: number;
}
