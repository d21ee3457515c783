import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYSTEM_SCOPE } from '../../../contracts/tenancy.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../../test/helpers.ts';
import { quietHealthMonitor } from '../health/test-monitor.ts';
import { ServiceDirectory } from './service-directory.ts';
import { ServiceProbeRegistry } from './service-probe-registry.ts';
import { createServicesRepository } from './services-repository.ts';

describe('ServiceDirectory.sync', () => {
  let migrated: MigratedDatabase;
  beforeAll(async () => {
    migrated = await createMigratedDatabase();
  });
  afterAll(() => migrated.close());

  function setup() {
    const { monitor, logger } = quietHealthMonitor();
    const repository = createServicesRepository({ db: migrated.db });
    const listAll = vi.spyOn(repository, 'listAll');
    const directory = new ServiceDirectory({ configured: [], repository, probes: new ServiceProbeRegistry({ monitor, logger }), logger });
    return { monitor, directory, listAll };
  }

  const store = (name: string, port: number) =>
    migrated.db
      .insertInto('external_services')
      .values({
        organization_id: SYSTEM_SCOPE.organizationId,
        project_id: SYSTEM_SCOPE.projectId,
        name,
        definition: JSON.stringify({ type: 'tcp', host: '127.0.0.1', port }),
      })
      .execute();

  it('reads the stored services only when they changed since its last sync, and then misses no change', async () => {
    const { monitor, directory, listAll } = setup();
    await store('first', 1);
    expect((await directory.sync()).added).toEqual(['first']);
    expect((await directory.sync()).added).toEqual([]);
    expect(listAll).toHaveBeenCalledTimes(1);

    // Changes made elsewhere (another instance): a new row, a changed definition, a removal.
    await store('second', 2);
    expect((await directory.sync()).added).toEqual(['second']);
    await migrated.db
      .updateTable('external_services')
      .set({ definition: JSON.stringify({ type: 'tcp', host: '127.0.0.1', port: 3 }) })
      .where('name', '=', 'first')
      .execute();
    expect((await directory.sync()).replaced).toEqual(['first']);
    expect(monitor.probe('first')?.componentId).toBe('127.0.0.1:3');
    await migrated.db.deleteFrom('external_services').where('name', '=', 'second').execute();
    expect((await directory.sync()).removed).toEqual(['second']);
    expect(listAll).toHaveBeenCalledTimes(4);
    await directory.sync();
    expect(listAll).toHaveBeenCalledTimes(4);
  });

  it('syncs again after a write of its own, even when the table returns to the state it last read', async () => {
    const { monitor, directory } = setup();
    await directory.sync();
    const tenant = await migrated.db.insertInto('organizations').values({ slug: 'returning', name: 'Returning' }).returning('id').executeTakeFirstOrThrow();
    const project = await migrated.db
      .insertInto('projects')
      .values({ organization_id: tenant.id, slug: 'p', name: 'P' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const scope = { organizationId: tenant.id, projectId: project.id };
    await directory.create(scope, { name: 'short-lived', type: 'tcp', host: '127.0.0.1', port: 9, critical: false });
    expect(monitor.has('short-lived', scope)).toBe(true);
    // Its project goes (a cascade, as when deleted through the API): the table is as last read.
    await migrated.db.deleteFrom('projects').where('id', '=', project.id).execute();
    expect((await directory.sync()).removed).toEqual([`${project.id}/short-lived`]);
    expect(monitor.has('short-lived', scope)).toBe(false);
  });

  it('serializes the list as JSON.stringify of list() does, with each config-file service as its latest check left it', async () => {
    const { monitor, logger } = quietHealthMonitor();
    const configured = ['m-config', 'a-config', 'z-config'].map((name) => ({ name, type: 'tcp' as const, host: '127.0.0.1', port: 9, critical: false }));
    const repository = createServicesRepository({ db: migrated.db });
    const directory = new ServiceDirectory({ configured, repository, probes: new ServiceProbeRegistry({ monitor, logger }), logger });
    await directory.sync();
    await store('b-stored', 4);
    try {
      const json = async () => JSON.parse((await directory.listAnswer(SYSTEM_SCOPE)).body.toString('utf8'));
      expect(await json()).toEqual(JSON.parse(JSON.stringify({ items: await directory.list(SYSTEM_SCOPE), nextCursor: null })));
      // In name order, the stored one among the config file's (other tests' stored services aside).
      const names: string[] = (await json()).items.map((s: { name: string }) => s.name);
      expect(names.filter((name) => name.includes('-'))).toEqual(['a-config', 'b-stored', 'm-config', 'z-config']);
      await monitor.runNow('m-config');
      const after = await json();
      expect(after.items.find((s: { name: string }) => s.name === 'm-config').health.checkedAt).toEqual(expect.any(String));
      expect(after).toEqual(JSON.parse(JSON.stringify({ items: await directory.list(SYSTEM_SCOPE), nextCursor: null })));
    } finally {
      await migrated.db.deleteFrom('external_services').where('name', '=', 'b-stored').execute();
    }
  });
});
