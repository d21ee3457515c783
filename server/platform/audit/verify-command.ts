/**
 * `watchkeeper audit verify`: checks the hash chain from outside the server, and holds it against
 * the anchors the server wrote (the file under DATA_DIR, and Redis when REDIS_URL is set); exit 0
 * intact, 1 not.
 */
import { sql } from 'kysely';
import pino from 'pino';
import { createRedisCache } from '../../infra/cache/index.ts';
import type { Config } from '../../infra/config/index.ts';
import { openDatabase } from '../../infra/database/index.ts';
import { createAuditRepository } from './audit-repository.ts';
import { auditAnchorStores } from './anchor-stores.ts';
import { verifyAuditChain, type AuditChainReport } from './verify-audit-chain.ts';

export function formatAuditReport(report: AuditChainReport): string {
  const lines: string[] = [];
  if (report.intact) {
    lines.push(`audit log intact: ${report.records} records${report.head ? ` (head seq ${report.head.seq}, hash ${report.head.hash})` : ''}`);
  } else {
    lines.push(`audit log TAMPERED: ${report.problemCount} problem(s) in ${report.records} records`);
    for (const problem of report.problems) {
      const where = problem.lastSeq ? `seq ${problem.seq}–${problem.lastSeq}` : `seq ${problem.seq}`;
      lines.push(`  ${problem.kind.padEnd(9)} ${where}: ${problem.detail}`);
    }
    if (report.problemCount > report.problems.length) lines.push(`  … and ${report.problemCount - report.problems.length} more`);
  }
  for (const check of report.anchors) lines.push(`anchor ${check.source} (${check.location}): ${check.status} — ${check.detail}`);
  return `${lines.join('\n')}\n`;
}

export async function runAuditVerify(config: Config, out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  const logger = pino({ level: config.server.logLevel });
  const database = await openDatabase({ config, logger, poolMax: 1, verify: true });
  const { db } = database;
  const redis = config.cache.redisUrl
    ? createRedisCache({
        url: config.cache.redisUrl,
        keyPrefix: config.cache.keyPrefix,
        logger,
        tlsCaFile: config.cache.redisTlsCaFile,
        commandTimeoutMs: config.cache.commandTimeoutMs,
        circuitCooldownMs: config.cache.circuitCooldownMs,
      })
    : undefined;
  try {
    const { rows } = await sql<{ present: boolean }>`SELECT to_regclass('audit_log') IS NOT NULL AS present`.execute(db);
    if (!rows[0]?.present) {
      out.stderr.write('watchkeeper: there is no audit log in this database; run `watchkeeper migrate` first\n');
      return 1;
    }
    // An unreachable Redis leaves its anchor "unavailable" in the report rather than failing the check.
    await redis?.ready(2_000);
    const anchors = auditAnchorStores(config, () => redis?.redisClient());
    const report = await verifyAuditChain({ repository: createAuditRepository({ db }), anchors });
    out.stdout.write(formatAuditReport(report));
    return report.intact ? 0 : 1;
  } finally {
    await redis?.close();
    await database.close();
  }
}
