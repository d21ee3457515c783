import { describe, expect, it } from 'vitest';
import { filterQuery, nextPageHref, readFilteredPage } from './filtered-page.ts';

const NAMES = ['kind', 'from'] as const;

describe('filterQuery', () => {
  it('keeps the filters the URL sets, trimmed, and leaves out blank ones and unknown names', () => {
    const { filters } = filterQuery(new URL('http://x/admin?kind=%20brute-force%20&from=&other=1'), NAMES, 50);
    expect(filters.toString()).toBe('kind=brute-force');
  });

  it('asks the API for the filters, the page size and the cursor of the page asked for', () => {
    const { apiQuery } = filterQuery(new URL('http://x/admin?from=2024-05-01T00:00:00Z&cursor=abc'), NAMES, 50);
    expect(Object.fromEntries(apiQuery)).toEqual({ from: '2024-05-01T00:00:00Z', limit: '50', cursor: 'abc' });
  });
});

describe('readFilteredPage', () => {
  const refusal = (status: number) => Object.assign(new Error('from: must be an ISO 8601 instant'), { status });

  it('says a filter the server refuses (400) on the form, with an empty page', async () => {
    const result = await readFilteredPage({
      url: new URL('http://x/admin?from=yesterday'),
      filterNames: NAMES,
      limit: 50,
      read: () => Promise.reject(refusal(400)),
      whenRefused: { events: [] },
    });
    expect(result).toEqual({ page: { events: [] }, filters: { from: 'yesterday' }, query: 'from=yesterday', refused: 'from: must be an ISO 8601 instant' });
  });

  it('lets any other failure through to the caller', async () => {
    const read = () => Promise.reject(refusal(403));
    await expect(readFilteredPage({ url: new URL('http://x/admin'), filterNames: NAMES, limit: 50, read, whenRefused: {} })).rejects.toMatchObject({
      status: 403,
    });
  });
});

describe('nextPageHref', () => {
  it('keeps the filters and adds the server cursor', () => {
    expect(nextPageHref('kind=brute-force', 'abc')).toBe('?kind=brute-force&cursor=abc');
  });
});
