/**
 * A list whose filter is the query string — a plain GET form, so it works without JavaScript and a
 * filtered view is a link — read a page at a time with the server's cursor (the audit log, the
 * security events).
 */

export type Filters<Name extends string> = Partial<Record<Name, string>>;

/**
 * The filters the page's URL sets (blank ones left out), and the API's query: those filters, the
 * page size and the cursor of the page asked for.
 */
export function filterQuery<Name extends string>(url: URL, filterNames: readonly Name[], limit: number) {
  const filters = new URLSearchParams();
  for (const name of filterNames) {
    const value = url.searchParams.get(name)?.trim();
    if (value) filters.set(name, value);
  }
  const apiQuery = new URLSearchParams(filters);
  apiQuery.set('limit', String(limit));
  const cursor = url.searchParams.get('cursor');
  if (cursor) apiQuery.set('cursor', cursor);
  return { filters, apiQuery };
}

/**
 * Reads the page the URL asks for. A filter the server refuses (400: a malformed date) is said on
 * the form with an empty page, not as a broken page; any other failure is the caller's to handle.
 */
export async function readFilteredPage<Name extends string, Page>({
  url,
  filterNames,
  limit,
  read,
  whenRefused,
}: {
  url: URL;
  filterNames: readonly Name[];
  limit: number;
  read: (apiQuery: URLSearchParams) => Promise<Page>;
  whenRefused: Page;
}) {
  const { filters, apiQuery } = filterQuery(url, filterNames, limit);
  let refused: string | null = null;
  const page = await read(apiQuery).catch((error: unknown) => {
    if ((error as { status?: number }).status !== 400) throw error;
    refused = (error as Error).message;
    return whenRefused;
  });
  return { page, filters: Object.fromEntries(filters) as Filters<Name>, query: filters.toString(), refused: refused as string | null };
}

/** The link to the next page: the same filters, the server's cursor. */
export function nextPageHref(query: string, cursor: string): string {
  const next = new URLSearchParams(query);
  next.set('cursor', cursor);
  return `?${next}`;
}
