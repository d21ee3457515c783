import type { RouteObject } from 'react-router';
import { describe, expect, it } from 'vitest';
import { PAGE_PATHS } from '../../../contracts/page-paths.ts';
import { routes } from './routes.tsx';

/** Every page path of the router, spelled as the server's list spells it. */
function pathsOf(list: RouteObject[], parent = ''): string[] {
  return list.flatMap((route) => {
    const here = route.index ? parent || '/' : route.path?.startsWith('/') ? route.path : `${parent === '/' ? '' : parent}/${route.path ?? ''}`;
    // A page is a route that loads one (or the index); the Layout route only frames its children.
    return [...(route.index || route.lazy ? [here] : []), ...pathsOf(route.children ?? [], here)];
  });
}

/** The server's list of pages (page-paths.ts) and the client's router are written apart: they must agree. */
describe('the dashboard routes', () => {
  it('are the pages the server renders, and no others', () => {
    expect(pathsOf(routes).sort()).toEqual(PAGE_PATHS.map((page) => page.path).sort());
  });
});
