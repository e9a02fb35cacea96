// The signing secret of one webhook: read on demand (Show, Copy) and rotated.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client.ts';
import { webhookKey } from './use-webhooks.ts';

const secretKey = (id: string) => [...webhookKey(id), 'secret'] as const;

/** Fetched only once `enabled` (the user asked to see or copy it); never refreshed in the background. */
export function useSecret(id: string, enabled: boolean) {
  return useQuery({
    queryKey: secretKey(id),
    queryFn: () => unwrap(api.GET('/api/v1/webhooks/{id}/secret', { params: { path: { id } } })),
    enabled,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
  });
}

export function useFetchSecret(id: string) {
  const queryClient = useQueryClient();
  return () =>
    queryClient.fetchQuery({
      queryKey: secretKey(id),
      queryFn: () => unwrap(api.GET('/api/v1/webhooks/{id}/secret', { params: { path: { id } } })),
      staleTime: Number.POSITIVE_INFINITY,
    });
}

export function useRotateSecret(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/webhooks/{id}/secret/rotate', { params: { path: { id } } })),
    onSuccess: (secret) => queryClient.setQueryData(secretKey(id), secret),
  });
}
