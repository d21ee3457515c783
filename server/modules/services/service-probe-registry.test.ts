import { describe, expect, it, vi } from 'vitest';
import { externalServiceConfigSchema } from '../../../contracts/services.ts';
import { SYSTEM_SCOPE } from '../../../contracts/tenancy.ts';
import { quietHealthMonitor } from '../health/test-monitor.ts';
import { ServiceProbeRegistry } from './service-probe-registry.ts';

const otherScope = { organizationId: '00000000-0000-4000-8000-0000000000aa', projectId: '00000000-0000-4000-8000-0000000000bb' };
const service = (name: string, port = 9) => externalServiceConfigSchema.parse({ name, type: 'tcp', host: '127.0.0.1', port });

function setup() {
  const { monitor, logger } = quietHealthMonitor();
  monitor.register({ id: 'database', componentType: 'datastore', critical: true, check: async () => ({}) });
  const error = vi.spyOn(logger, 'error');
  return { monitor, error, registry: new ServiceProbeRegistry({ monitor, logger }) };
}

describe('ServiceProbeRegistry', () => {
  it('adds a probe once, keeps it while the definition is unchanged, and replaces it when it changes', () => {
    const { monitor, registry } = setup();
    expect(registry.put({ service: service('queue'), scope: SYSTEM_SCOPE })).toBe('added');
    const probe = monitor.probe('queue');
    expect(probe).toMatchObject({ groups: ['services'], scope: SYSTEM_SCOPE, componentType: 'external' });

    // Stored definitions come back from jsonb with their keys reordered.
    const reordered = Object.fromEntries(Object.entries(service('queue')).reverse()) as ReturnType<typeof service>;
    expect(registry.put({ service: reordered, scope: SYSTEM_SCOPE })).toBe('unchanged');
    expect(monitor.probe('queue')).toBe(probe);

    expect(registry.put({ service: service('queue', 10), scope: SYSTEM_SCOPE })).toBe('replaced');
    expect(monitor.probe('queue')?.componentId).toBe('127.0.0.1:10');
  });

  it("keeps services of the same name apart in different scopes, and out of Watchkeeper's own components", () => {
    const { monitor, registry } = setup();
    expect(registry.put({ service: service('api', 10), scope: SYSTEM_SCOPE })).toBe('added');
    expect(registry.put({ service: service('api', 11), scope: otherScope })).toBe('added');
    expect(monitor.probe('api')?.componentId).toBe('127.0.0.1:10');
    expect(monitor.probe('api', otherScope)?.componentId).toBe('127.0.0.1:11');
    expect(monitor.list('services').map((s) => s.id)).toEqual(['api']);
    expect(monitor.list('services', otherScope).map((s) => s.scope)).toEqual([otherScope]);
    // A tenant may use a name that is a built-in component in Watchkeeper's own scope.
    expect(registry.put({ service: service('database'), scope: otherScope })).toBe('added');
    expect(registry.isBuiltIn('database', otherScope)).toBe(false);
  });

  it('reconciles every scope to the wanted set: what is no longer wanted anywhere is removed', () => {
    const { monitor, registry } = setup();
    registry.put({ service: service('theirs'), scope: otherScope });
    registry.put({ service: service('kept'), scope: otherScope });
    registry.put({ service: service('gone'), scope: SYSTEM_SCOPE });
    const result = registry.reconcile([
      { service: service('new'), scope: SYSTEM_SCOPE },
      { service: service('kept'), scope: otherScope },
    ]);
    expect(result).toEqual({ added: ['new'], replaced: [], removed: [`${otherScope.projectId}/theirs`, 'gone'] });
    expect(monitor.has('theirs', otherScope)).toBe(false);
    expect(monitor.has('kept', otherScope)).toBe(true);
    expect(monitor.has('gone')).toBe(false);
  });

  it('never replaces a built-in component, and says so once', () => {
    const { monitor, registry, error } = setup();
    const builtIn = monitor.probe('database');
    const wanted = [{ service: service('database'), scope: SYSTEM_SCOPE }];
    expect(registry.reconcile(wanted).added).toEqual([]);
    registry.reconcile(wanted);
    expect(monitor.probe('database')).toBe(builtIn);
    expect(registry.isBuiltIn('database')).toBe(true);
    expect(error).toHaveBeenCalledTimes(1);
  });
});
