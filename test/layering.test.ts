/**
 * Layers import only downward (modules → platform → infra → contracts), enforced by the lint
 * configuration: these tests lint one-line files placed in each layer and expect the rule to fire.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function restrictedImports(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport {};\n`, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('layer boundaries', () => {
  it.each([
    ['server/platform/audit/x.ts', "import type { HealthMonitor } from '../../modules/health/index.ts';"],
    ['server/platform/security/rate-limit/x.ts', "export type { ProbeDefinition } from '../../../modules/health/index.ts';"],
    ['server/infra/database/x.ts', "import { servicesPlugin } from '../../modules/services/index.ts';"],
    ['server/infra/cache/x.ts', "import { auditPlugin } from '../../platform/audit/index.ts';"],
    ['contracts/x.ts', "import { settings } from '../server/infra/config/index.ts';"],
    ['contracts/x.ts', "import { readFileSync } from 'node:fs';"],
    ['contracts/x.ts', "import { createHash } from 'crypto';"],
  ])('refuses in %s: %s', async (filePath, source) => {
    expect(await restrictedImports(filePath, source)).toHaveLength(1);
  });

  it.each([
    ['server/modules/health/x.ts', "import type { ProbeDefinition } from '../../platform/probes/index.ts';"],
    ['server/platform/audit/x.ts', "import type { ProbeDefinition } from '../probes/index.ts';"],
    ['server/platform/audit/x.ts', "import type { Config } from '../../infra/config/index.ts';"],
    ['server/infra/database/x.ts', "import type { TenantScope } from '../../../contracts/tenancy.ts';"],
    ['server/infra/database/x.ts', "import pg from 'pg';"],
    ['contracts/x.ts', "import { z } from 'zod';"],
  ])('allows in %s: %s', async (filePath, source) => {
    expect(await restrictedImports(filePath, source)).toEqual([]);
  });
});
