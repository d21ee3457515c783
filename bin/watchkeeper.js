#!/usr/bin/env node
// Entry of the `watchkeeper` command. The sources are TypeScript run through tsx's loader, so
// `npm ci && npm start` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli.ts');
