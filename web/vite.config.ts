/**
 * The dashboard's build: the browser bundle (dist/web/client, with a manifest the server reads to
 * link each page's files) and the server-rendering bundle (dist/web/server), both from web/src.
 */
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The service worker's precache list (`self.__WB_MANIFEST`, as Workbox names it): every file of
 * the browser build it is built beside. The names carry their content hash, so none needs a
 * revision of its own.
 */
function precacheManifest(): Plugin {
  let outDir = '';
  return {
    name: 'watchkeeper-precache-manifest',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    transform(code, id) {
      if (!id.endsWith('service-worker.ts')) return undefined;
      const files = readdirSync(join(outDir, 'assets'), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && !entry.name.endsWith('.map'))
        .map((entry) => ({ url: `/${relative(outDir, join(entry.parentPath, entry.name))}`, revision: null }))
        .sort((a, b) => a.url.localeCompare(b.url));
      return code.replace('self.__WB_MANIFEST', JSON.stringify(files));
    },
  };
}

export default defineConfig(({ isSsrBuild, mode }) =>
  mode === 'service-worker'
    ? {
        // The service worker: one classic script (/sw.js), built after and beside the browser build.
        root,
        plugins: [precacheManifest()],
        base: '/',
        define: { 'process.env.NODE_ENV': JSON.stringify('production') },
        build: {
          emptyOutDir: false,
          copyPublicDir: false,
          sourcemap: false,
          rolldownOptions: { input: fileURLToPath(new URL('src/service-worker.ts', import.meta.url)), output: { format: 'iife', entryFileNames: 'sw.js' } },
        },
      }
    : {
        root,
        plugins: [react()],
        base: '/',
        build: {
          outDir: fileURLToPath(new URL(isSsrBuild ? '../dist/web/server' : '../dist/web/client', import.meta.url)),
          emptyOutDir: true,
          manifest: !isSsrBuild,
          // No inline modulepreload polyfill: the CSP allows no inline script.
          modulePreload: { polyfill: false },
          assetsInlineLimit: 0,
          sourcemap: true,
        },
        server: {
          // `npm run dev`: Vite serves the app, the API comes from the server on :8080.
          proxy: Object.fromEntries(['/api', '/health', '/sign-in', '/sign-out', '/docs'].map((path) => [path, 'http://localhost:8080'])),
        },
      },
);
