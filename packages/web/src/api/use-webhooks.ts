// Webhooks of the signed-in user: the list with 24-hour activity, one webhook, and the changes
// (create, edit, delete, pause, resume), each refreshing what it affects.
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap, type Webhook, type WebhookListItem } from './client.ts';

/** How often open pages refresh status, deliveries and stats. */
export const REFRESH_MS = 3000;

export const webhooksKey = ['webhooks'] as const;
export const webhookKey = (id: string) => ['webhooks', id] as const;

/** Every webhook of the user: pages of 100, following next_cursor to the last one. */
export async function fetchAllWebhooks(): Promise<WebhookListItem[]> {
  const all: WebhookListItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(
      api.GET('/api/v1/webhooks', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }),
    );
    all.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return all;
}

export function useWebhookList() {
  return useQuery({
    queryKey: webhooksKey,
    queryFn: fetchAllWebhooks,
    refetchInterval: REFRESH_MS,
  });
}

export function useWebhook(id: string) {
  return useQuery({
    queryKey: [...webhookKey(id), 'webhook'],
    queryFn: () => unwrap(api.GET('/api/v1/webhooks/{id}', { params: { path: { id } } })),
    refetchInterval: REFRESH_MS,
    retry: (count, error) => count < 2 && !('status' in error && error.status === 404),
  });
}

/** After a change: the changed webhook now, and everything derived from it refetched. */
function refresh(queryClient: QueryClient, webhook?: Webhook) {
  if (webhook) queryClient.setQueryData([...webhookKey(webhook.id), 'webhook'], webhook);
  void queryClient.invalidateQueries({ queryKey: webhooksKey });
}

export function useCreateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['WebhookIn']) => unwrap(api.POST('/api/v1/webhooks', { body })),
    onSuccess: (created) => refresh(queryClient, created),
  });
}

export function useUpdateWebhook(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['WebhookPatchIn']) =>
      unwrap(api.PATCH('/api/v1/webhooks/{id}', { params: { path: { id } }, body })),
    onSuccess: (webhook) => refresh(queryClient, webhook),
  });
}

export function useDeleteWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id } } })),
    onSuccess: (_done, id) => {
      queryClient.removeQueries({ queryKey: webhookKey(id) });
      void queryClient.invalidateQueries({ queryKey: webhooksKey });
    },
  });
}

export function usePauseWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/webhooks/{id}/pause', { params: { path: { id } } })),
    onSuccess: (webhook) => refresh(queryClient, webhook),
  });
}

export function useResumeWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, sendMissed }: { id: string; sendMissed: boolean }) =>
      unwrap(
        api.POST('/api/v1/webhooks/{id}/resume', {
          params: { path: { id } },
          body: { send_missed: sendMissed },
        }),
      ),
    onSuccess: (webhook) => {
      refresh(queryClient, webhook);
      void queryClient.invalidateQueries({ queryKey: webhookKey(webhook.id) });
    },
  });
}
