/**
 * The built dashboard (dist/web, from web/ by `npm run build`): the page template Vite wrote, with
 * the hashed script and style links in it, and the server-rendering module.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../infra/package-root.ts';

export interface Viewer {
  email: string;
  csrfToken: string;
  /** Where the pages act and what the header's switcher offers (web/src/app/page-data.ts). */
  scope?: ViewerScope | undefined;
}

export interface ViewerScope {
  organizationId: string;
  projectId: string | null;
  organizations: { id: string; name: string; projects: { id: string; name: string }[] }[];
}

export interface RenderedPage {
  kind: 'page';
  status: number;
  html: string;
  title: string;
  data: unknown;
}

export type InProcessApi = <T>(path: string, options?: { method?: string; body?: unknown; answers?: number[]; headers?: Record<string, string> }) => Promise<T>;

interface ServerModule {
  render(input: { url: string; api: InProcessApi; viewer: Viewer | null }): Promise<RenderedPage | { kind: 'redirect'; status: number; location: string }>;
  serializePageData(data: unknown): string;
  PAGE_DATA_ID: string;
}

export interface WebBundle {
  assetsDir: string;
  /** The service worker's script, served as /sw.js. */
  serviceWorker: string;
  render: ServerModule['render'];
  /** The full document for a rendered page, in the theme the visitor picked (if any). */
  document(page: RenderedPage, options?: { theme?: 'light' | 'dark' | undefined }): string;
}

export const webDist = () => join(packageRoot(), 'dist', 'web');

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Loads the build, or says how to make it. */
export async function loadWebBundle(dist = webDist()): Promise<WebBundle> {
  const templatePath = join(dist, 'client', 'index.html');
  const serverPath = join(dist, 'server', 'entry-server.js');
  const serviceWorkerPath = join(dist, 'client', 'sw.js');
  if (![templatePath, serverPath, serviceWorkerPath].every((path) => existsSync(path))) {
    throw new Error(`the dashboard is not built (${dist} is incomplete): run \`npm run build\``);
  }
  const template = readFileSync(templatePath, 'utf8');
  const module = (await import(pathToFileURL(serverPath).href)) as ServerModule;
  return {
    assetsDir: join(dist, 'client', 'assets'),
    serviceWorker: readFileSync(serviceWorkerPath, 'utf8'),
    render: module.render,
    document: (page, { theme } = {}) =>
      template
        .replace('<html lang="en">', theme ? `<html lang="en" data-theme="${theme}">` : '<html lang="en">')
        .replace('<!--wk-title-->', escapeHtml(page.title === 'Watchkeeper' ? page.title : `${page.title} · Watchkeeper`))
        .replace('<!--wk-html-->', () => page.html)
        .replace('<!--wk-data-->', () => `<script type="application/json" id="${module.PAGE_DATA_ID}">${module.serializePageData(page.data)}</script>`),
  };
}
