/** The services pages' calls and query keys (one place, so a change can invalidate what it touched). */
import type { ServiceRecord } from '../../../../contracts/services.ts';
import type { Api } from '../../shared/api/client.ts';

export const servicesKey = ['services'] as const;
export const serviceKey = (name: string) => ['services', 'one', name] as const;
export const servicesListKey = ['services', 'list'] as const;

export const fetchServices = (api: Api) => api<{ items: ServiceRecord[] }>('/api/services');
export const fetchService = (api: Api, name: string) => api<ServiceRecord>(`/api/services/${encodeURIComponent(name)}`);
