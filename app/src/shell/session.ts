import { useQuery } from '@tanstack/react-query';
import { fetchSession } from '../api/auth';

export const SESSION_KEY = ['session'] as const;

/** The signed-in person, checked with the API on load (the cookie is HttpOnly: only the API can tell). */
export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 60_000, retry: false });
}
