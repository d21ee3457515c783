import type { ClientErrorReport } from '../../../contracts/client-errors.ts';

/** Sends a rendering error to the server (POST /api/client-errors); never throws. */
export function reportClientError({ panel, error, componentStack }: { panel: string; error: Error; componentStack: string | undefined }): void {
  const report: ClientErrorReport = {
    panel,
    message: error.message.slice(0, 1_000),
    stack: error.stack?.slice(0, 8_000),
    componentStack: componentStack?.slice(0, 8_000),
    url: location.pathname,
  };
  void fetch('/api/client-errors', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(report),
    keepalive: true,
  }).catch(() => undefined);
}
