/**
 * Preloaded with `node --import` by test/tracing.test.ts: appends the URL of every module the
 * program imports to the file WK_IMPORT_LOG names, so a test can tell what a process loaded.
 */
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// The same file serves as the loader hook, which Node runs on a thread of its own.
if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (process.env.WK_IMPORT_LOG) appendFileSync(process.env.WK_IMPORT_LOG, `${resolved.url}\n`);
  return resolved;
}
