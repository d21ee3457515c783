/**
 * Watchkeeper's own health report, polled every 10 s once the client has taken over. The overview
 * and the Health page read it under one query key, so they must fetch it the same way: here.
 */
import { useQuery } from '@tanstack/react-query';
import type { HealthResponse } from '../../../../contracts/health.ts';
import { browserApi } from '../../shared/api/client.ts';
import { fetchStatus } from './health-data.ts';

export function useHealthStatus(initial: { status: HealthResponse; at: number }) {
  return useQuery({
    queryKey: ['health', 'status'],
    queryFn: () => fetchStatus(browserApi),
    initialData: initial.status,
    initialDataUpdatedAt: initial.at,
    refetchInterval: 10_000,
  });
}
