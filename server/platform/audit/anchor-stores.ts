/** Where a configuration keeps the audit anchors: the file under DATA_DIR always, Redis when REDIS_URL is set. */
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from '../../infra/config/index.ts';
import type { AuditAnchorStore } from './audit-anchor.ts';
import { AUDIT_ANCHOR_FILE, fileAnchorStore } from './file-anchor-store.ts';
import { redisAnchorStore } from './redis-anchor-store.ts';

export function auditAnchorStores(config: Pick<Config, 'storage' | 'cache'>, redisClient: () => Redis | undefined): AuditAnchorStore[] {
  const stores = [fileAnchorStore({ path: resolve(config.storage.dataDir, AUDIT_ANCHOR_FILE) })];
  if (config.cache.redisUrl) stores.push(redisAnchorStore({ client: redisClient, keyPrefix: config.cache.keyPrefix }));
  return stores;
}
