/**
 * What the server hands the page it rendered: the router's loader data (so the client hydrates
 * without fetching again) and who is signed in. Carried as JSON in a non-executable script
 * element, which the strict CSP (no inline script) allows.
 */
import type { HydrationState } from 'react-router';

export interface Viewer {
  email: string;
  /** The session's token, for the sign-out form and the client's writes. */
  csrfToken: string;
  /** The organization and project the pages act in, and those the header's switcher offers. */
  scope?: ViewerScope | undefined;
}

export interface ViewerScope {
  organizationId: string;
  /** Null in an organization whose projects the user may not list (the API's default applies). */
  projectId: string | null;
  organizations: { id: string; name: string; projects: { id: string; name: string }[] }[];
}

export interface PageData {
  hydration: HydrationState;
  viewer: Viewer | null;
  /** When the server rendered the page: what an offline copy of it shows is as of then. */
  renderedAt: number;
}

export const PAGE_DATA_ID = 'wk-page-data';

/** JSON safe inside <script>: no `</script>` or `<!--` can end the element early. */
export function serializePageData(data: PageData): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
