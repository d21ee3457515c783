/** The service worker's caches of a signed-in user's pages and data: emptied at sign-out. */
export const PAGES_CACHE = 'wk-pages-v1';
export const DATA_CACHE = 'wk-data-v1';
