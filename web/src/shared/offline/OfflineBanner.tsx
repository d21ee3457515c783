/**
 * Says when the dashboard cannot reach Watchkeeper and what the page shows meanwhile: the data
 * as of the last time it was fetched. A live region, so a screen reader hears it come and go.
 */
import { pageRenderedAt, useConnectivity } from './connectivity.ts';

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function OfflineBanner() {
  const { online, offlineSince } = useConnectivity();
  const dataAsOf = pageRenderedAt();
  return (
    <div role="status" aria-live="polite" className="offline-region">
      {!online && offlineSince !== null && (
        <p className="offline-banner">
          <strong>Offline since {time(offlineSince)}.</strong> Showing the data from the last time it could be fetched
          {dataAsOf ? ` (this page as of ${time(dataAsOf)})` : ''}. Actions you take are queued and sent when Watchkeeper is reachable again.
        </p>
      )}
    </div>
  );
}
