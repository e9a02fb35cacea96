// Deliveries of one webhook: the attempt log (filtered, cursor pages), one attempt in full, the
// 24-hour stats, test events and resends; the log and stats refresh while the page is open.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type EventType, unwrap } from './client.ts';
import { REFRESH_MS, webhookKey } from './use-webhooks.ts';

export interface AttemptFilters {
  status?: 'succeeded' | 'failed';
  type?: EventType['type'];
  eventId?: string;
}

export function useAttempts(id: string, filters: AttemptFilters, cursor: string | undefined) {
  return useQuery({
    queryKey: [...webhookKey(id), 'attempts', filters, cursor ?? null],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/webhooks/{id}/attempts', {
          params: {
            path: { id },
            query: {
              status: filters.status,
              type: filters.type,
              event_id: filters.eventId || undefined,
              cursor,
              limit: 20,
            },
          },
        }),
      ),
    refetchInterval: REFRESH_MS,
    placeholderData: keepPreviousData,
  });
}

export function useAttempt(id: string, attemptId: string | undefined) {
  return useQuery({
    queryKey: [...webhookKey(id), 'attempt', attemptId],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/webhooks/{id}/attempts/{attempt_id}', {
          params: { path: { id, attempt_id: attemptId ?? '' } },
        }),
      ),
    enabled: attemptId !== undefined,
  });
}

export function useStats(id: string) {
  return useQuery({
    queryKey: [...webhookKey(id), 'stats'],
    queryFn: () => unwrap(api.GET('/api/v1/webhooks/{id}/stats', { params: { path: { id } } })),
    refetchInterval: REFRESH_MS,
  });
}

/** Refetches the log, the stats and the webhook right away (after a test event or a resend). */
function useRefreshDeliveries(id: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: webhookKey(id) });
}

export function useSendTestEvent(id: string) {
  const refresh = useRefreshDeliveries(id);
  return useMutation({
    mutationFn: (type: EventType['type'] | undefined) =>
      unwrap(api.POST('/api/v1/webhooks/{id}/test', { params: { path: { id } }, body: { type } })),
    onSuccess: () => void refresh(),
  });
}

export function useResend(id: string) {
  const refresh = useRefreshDeliveries(id);
  return useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST('/api/v1/webhooks/{id}/deliveries/{delivery_id}/resend', {
          params: { path: { id, delivery_id: deliveryId } },
        }),
      ),
    onSuccess: () => void refresh(),
  });
}
