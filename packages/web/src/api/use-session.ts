// The signed-in user (GET /me; null when signed out), sign-in and sign-out.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, csrfToken, type Me, unwrap } from './client.ts';

export const meKey = ['me'] as const;

export function useMe() {
  return useQuery({
    queryKey: meKey,
    queryFn: async (): Promise<Me | null> => {
      // No CSRF cookie, no session: signed out, without asking (and logging a 401).
      if (!csrfToken()) return null;
      try {
        return await unwrap(api.GET('/api/v1/me'));
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => unwrap(api.POST('/api/v1/session', { body })),
    onSuccess: (session) => {
      queryClient.clear();
      queryClient.setQueryData(meKey, session.user);
    },
  });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/session')),
    onSettled: () => {
      queryClient.clear();
      queryClient.setQueryData(meKey, null);
    },
  });
}
