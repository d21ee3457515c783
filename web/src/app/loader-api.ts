import { data, type LoaderFunctionArgs } from 'react-router';
import { browserApi, type Api } from '../shared/api/client.ts';

/** The API a loader calls: the server passes its own (in process, as the signed-in caller). */
export function apiFrom(context: unknown): Api {
  return (context as { api?: Api } | undefined)?.api ?? browserApi;
}

/**
 * A refusal from the API (403: no permission here, 404…) becomes the page's own answer with that
 * status and the server's explanation, shown by the route's error boundary; anything else stays an
 * error (500).
 */
export async function orRouteError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined && status >= 400 && status < 500) throw data({ message: (error as Error).message }, { status });
    throw error;
  }
}

/** The loader of a page that shows one API list (`{ items }`) as the API answers it. */
export function listLoader<Item>(path: string) {
  return ({ context }: LoaderFunctionArgs) => orRouteError(apiFrom(context)<{ items: Item[] }>(path));
}
