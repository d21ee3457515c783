/**
 * The dashboard's build: the browser bundle (dist/web/client, with a manifest the server reads to
 * link each page's files) and the server-rendering bundle (dist/web/server), both from web/src.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig(({ isSsrBuild }) => ({
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
}));
