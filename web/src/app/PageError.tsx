import { isRouteErrorResponse, useLocation, useRouteError } from 'react-router';
import { ApiError } from '../shared/api/client.ts';

/** A page that failed to load or render: what happened, and a way on. */
export function PageError() {
  const error = useRouteError();
  const { pathname } = useLocation();
  const message = isRouteErrorResponse(error)
    ? ((error.data as { message?: string } | undefined)?.message ?? `${error.status} ${error.statusText}`)
    : error instanceof ApiError
      ? error.message
      : 'Something went wrong while showing this page.';
  return (
    <section className="page-error" role="alert">
      <h1>This page could not be shown</h1>
      <p>{message}</p>
      <p>
        <a href={pathname}>Try again</a> or go to the <a href="/">overview</a>.
      </p>
    </section>
  );
}
