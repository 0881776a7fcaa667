import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { paths } from '../../api/schema';

export interface LeadFilter {
  q: string;
  status: string;
}

type LeadStatus = NonNullable<paths['/v1/leads']['get']['parameters']['query']>['status'];

/** The inbox, a page at a time: newest activity first, filtered on the server. */
export function useLeads(filter: LeadFilter) {
  return useInfiniteQuery({
    queryKey: ['leads', filter],
    placeholderData: keepPreviousData,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }: { pageParam: string | undefined }) => {
      const { data, error } = await api.GET('/v1/leads', {
        params: {
          query: {
            limit: 50,
            ...(pageParam ? { cursor: pageParam } : {}),
            ...(filter.q.trim() ? { q: filter.q.trim() } : {}),
            ...(filter.status ? { status: filter.status as LeadStatus } : {}),
          },
        },
      });
      if (error || !data) throw new Error('could not load the leads');
      return data;
    },
    getNextPageParam: (last) => last.next ?? undefined,
  });
}

export function useLead(leadId: string) {
  return useQuery({
    queryKey: ['lead', leadId],
    queryFn: async () => {
      const { data, response } = await api.GET('/v1/leads/{id}', { params: { path: { id: leadId } } });
      if (response.status === 404) return null;
      if (!data) throw new Error('could not load the lead');
      return data;
    },
  });
}

export function useConsent(leadId: string) {
  return useQuery({
    queryKey: ['lead', leadId, 'consent'],
    staleTime: 5 * 60_000,
    queryFn: async () => {
      const { data } = await api.GET('/v1/leads/{id}/consent', { params: { path: { id: leadId } } });
      if (!data) throw new Error('could not load the consent record');
      return data.data;
    },
  });
}

export function useAlerts() {
  return useQuery({
    queryKey: ['alerts'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/alerts', { params: { query: { unread: 'true', limit: 20 } } });
      if (error || !data) throw new Error('could not load the alerts');
      return data.data;
    },
  });
}

export function useMarkAlertRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (alertId: string) => {
      const { error } = await api.POST('/v1/alerts/{id}/read', { params: { path: { id: alertId } } });
      if (error) throw new Error('could not mark the alert read');
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['alerts'] }),
  });
}

function useLeadChange<T>(leadId: string, change: (value: T) => Promise<string | null>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (value: T) => {
      const refused = await change(value);
      if (refused) throw new Error(refused);
    },
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: ['lead', leadId] });
      await queryClient.invalidateQueries({ queryKey: ['leads'] });
    },
  });
}

const problem = (error: unknown, fallback: string) =>
  (error as { error?: { message?: string } } | undefined)?.error?.message ?? fallback;

/** A person's reply: the AI steps back for this lead (a handoff). */
export function useSendReply(leadId: string) {
  return useLeadChange<string>(leadId, async (text) => {
    const { data, error } = await api.POST('/v1/leads/{id}/messages', {
      params: { path: { id: leadId } },
      body: { text },
    });
    if (error) return problem(error, 'The reply could not be sent.');
    if (data?.status === 'refused') return `The reply was not sent: ${data.reason ?? 'refused by the send rules'}.`;
    return null;
  });
}

/** The assistant takes the conversation back after a person's handoff. */
export function useHandBack(leadId: string) {
  return useLeadChange<void>(leadId, async () => {
    const { error } = await api.POST('/v1/leads/{id}/hand-back', { params: { path: { id: leadId } } });
    return error ? problem(error, 'Could not hand the lead back to the assistant.') : null;
  });
}
