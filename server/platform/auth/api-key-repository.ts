/**
 * API keys for machines. A key reads `wk_<8 hex>_<secret>`: the `wk_<8 hex>` prefix is stored to
 * recognise it in lists and logs, the whole key only as a SHA-256 digest. The secret is shown once,
 * when the key is made.
 */
import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { isPermission, type Permission } from '../../../contracts/permissions.ts';
import type { Database } from '../../infra/database/schema.ts';
import { randomToken, sha256 } from './tokens.ts';

type Db = Kysely<Database> | Transaction<Database>;

export const API_KEY_PATTERN = /^wk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;

export interface ApiKeyRecord {
  id: string;
  organizationId: string;
  projectId: string | null;
  createdBy: string | null;
  name: string;
  prefix: string;
  scopes: Permission[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

const columns = [
  'id',
  'organization_id',
  'project_id',
  'created_by',
  'name',
  'prefix',
  'scopes',
  'expires_at',
  'last_used_at',
  'revoked_at',
  'created_at',
] as const;

function toRecord(row: {
  id: string;
  organization_id: string;
  project_id: string | null;
  created_by: string | null;
  name: string;
  prefix: string;
  scopes: string[];
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}): ApiKeyRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    projectId: row.project_id,
    createdBy: row.created_by,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes.filter(isPermission),
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
  };
}

export function createApiKeyRepository(db: Kysely<Database>) {
  return {
    /** Makes a key; the returned `secret` is the only time the whole key exists outside the caller. */
    async create(
      input: {
        organizationId: string;
        projectId?: string | null;
        createdBy: string | null;
        name: string;
        scopes: readonly Permission[];
        expiresAt?: Date | null;
      },
      trx: Db = db,
    ): Promise<{ key: ApiKeyRecord; secret: string }> {
      const prefix = `wk_${randomBytes(4).toString('hex')}`;
      const secret = `${prefix}_${randomToken()}`;
      const row = await trx
        .insertInto('api_keys')
        .values({
          organization_id: input.organizationId,
          project_id: input.projectId ?? null,
          created_by: input.createdBy,
          name: input.name,
          prefix,
          secret_hash: sha256(secret),
          scopes: [...new Set(input.scopes)],
          expires_at: input.expiresAt ?? null,
        })
        .returning(columns)
        .executeTakeFirstOrThrow();
      return { key: toRecord(row), secret };
    },

    async findBySecret(secret: string, trx: Db = db): Promise<ApiKeyRecord | undefined> {
      if (!API_KEY_PATTERN.test(secret)) return undefined;
      const row = await trx.selectFrom('api_keys').select(columns).where('secret_hash', '=', sha256(secret)).executeTakeFirst();
      return row && toRecord(row);
    },

    async list(organizationId: string, trx: Db = db): Promise<ApiKeyRecord[]> {
      const rows = await trx
        .selectFrom('api_keys')
        .select(columns)
        .where('organization_id', '=', organizationId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(toRecord);
    },

    async findInOrganization(id: string, organizationId: string, trx: Db = db): Promise<ApiKeyRecord | undefined> {
      const row = await trx.selectFrom('api_keys').select(columns).where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst();
      return row && toRecord(row);
    },

    /** Resolves the revoked key's secret hash (what caches know it by), undefined when there is no such key. */
    async revoke(id: string, trx: Db = db): Promise<string | undefined> {
      const row = await trx
        .updateTable('api_keys')
        .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
        .where('id', '=', id)
        .returning('secret_hash')
        .executeTakeFirst();
      return row?.secret_hash;
    },

    /** Records use, writing at most once a minute per key. */
    async markUsed(key: Pick<ApiKeyRecord, 'id' | 'lastUsedAt'>, trx: Db = db): Promise<void> {
      if (key.lastUsedAt && Date.now() - key.lastUsedAt.getTime() < 60_000) return;
      await trx
        .updateTable('api_keys')
        .set({ last_used_at: sql<Date>`now()` })
        .where('id', '=', key.id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]))
        .execute();
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;
