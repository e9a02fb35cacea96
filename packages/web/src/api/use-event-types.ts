// The event catalog (GET /event-types): each type with its one-line meaning.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client.ts';

export function useEventTypes() {
  return useQuery({
    queryKey: ['event-types'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/event-types'))).data,
    staleTime: Number.POSITIVE_INFINITY,
  });
}
