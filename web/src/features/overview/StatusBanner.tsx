import type { HealthStatus } from '../../../../contracts/health.ts';
import type { ComponentRow } from './overview.page.tsx';

const SUMMARY: Record<HealthStatus, string> = {
  pass: 'All systems operational',
  warn: 'Degraded',
  fail: 'Failing',
};

/** The state of the whole, naming what is affected; a live region, so a change is announced. */
export function StatusBanner({ status, rows }: { status: HealthStatus; rows: ComponentRow[] }) {
  const affected = rows.filter((row) => row.status !== 'pass');
  return (
    <section className={`banner banner-${status}`} aria-live="polite" aria-atomic="true">
      <p className="banner-title">
        <StatusMark status={status} /> {SUMMARY[status]}
      </p>
      {affected.length > 0 && (
        <p>
          Affected:{' '}
          {affected.map((row, index) => (
            <span key={row.name}>
              {index > 0 && ', '}
              <strong>{row.name}</strong> ({row.status === 'fail' ? 'failing' : 'degraded'})
            </span>
          ))}
        </p>
      )}
    </section>
  );
}

/** Status by shape and word as well as colour. */
export function StatusMark({ status }: { status: HealthStatus }) {
  const symbol = status === 'pass' ? '●' : status === 'warn' ? '▲' : '✖';
  return (
    <span className={`status-mark status-${status}`} aria-hidden="true">
      {symbol}
    </span>
  );
}
