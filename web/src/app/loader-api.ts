import { browserApi, type Api } from '../shared/api/client.ts';

/** The API a loader calls: the server passes its own (in process, as the signed-in caller). */
export function apiFrom(context: unknown): Api {
  return (context as { api?: Api } | undefined)?.api ?? browserApi;
}
