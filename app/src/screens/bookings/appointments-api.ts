import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, problemText } from '../../api/client';

export const APPOINTMENTS_KEY = ['appointments'] as const;

export interface AppointmentItem {
  id: string;
  leadId: string;
  leadName: string | null;
  serviceName: string | null;
  status: 'booked' | 'cancelled' | 'completed' | 'no_show';
  start: string;
  end: string;
}

/** Appointments starting in [from, to): the week the screen shows. */
export function useAppointments(from: Date, to: Date) {
  return useQuery({
    queryKey: [...APPOINTMENTS_KEY, from.toISOString(), to.toISOString()],
    queryFn: async (): Promise<AppointmentItem[]> => {
      const { data, error } = await api.GET('/v1/appointments', {
        params: { query: { from: from.toISOString(), to: to.toISOString() } },
      });
      if (error || !data) throw new Error(problemText(error, 'The appointments could not be loaded.'));
      return data.data;
    },
  });
}

/** Leads a slot can be booked for (the newest hundred that can still be texted). */
export function useBookableLeads() {
  return useQuery({
    queryKey: ['leads', 'bookable'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/leads', { params: { query: { limit: 100 } } });
      if (error || !data) throw new Error(problemText(error, 'The leads could not be loaded.'));
      const closed = new Set(['opted_out', 'erased', 'retention_deleted', 'closed', 'failed']);
      return data.data.filter((l) => !closed.has(l.status));
    },
  });
}

export function useServices() {
  return useQuery({
    queryKey: ['business'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/business');
      if (error || !data) throw new Error(problemText(error, 'The business could not be loaded.'));
      return data;
    },
    select: (business) => business.services.filter((s) => s.active),
  });
}

type Change =
  | { kind: 'book'; leadId: string; start: string; serviceId?: string }
  | { kind: 'move'; leadId: string; start: string }
  | { kind: 'cancel'; leadId: string }
  | { kind: 'outcome'; leadId: string; outcome: 'completed' | 'no_show' };

async function apply(change: Change) {
  const path = { params: { path: { id: change.leadId } } };
  const answer =
    change.kind === 'book'
      ? await api.POST('/v1/leads/{id}/appointment', {
          ...path,
          body: { start: change.start, ...(change.serviceId ? { serviceId: change.serviceId } : {}) },
        })
      : change.kind === 'move'
        ? await api.PATCH('/v1/leads/{id}/appointment', { ...path, body: { start: change.start } })
        : change.kind === 'cancel'
          ? await api.DELETE('/v1/leads/{id}/appointment', path)
          : await api.POST('/v1/leads/{id}/appointment/outcome', { ...path, body: { outcome: change.outcome } });
  if (answer.error || !answer.data) throw new Error(problemText(answer.error, 'The change was not saved.'));
  return answer.data;
}

/** Every change goes through the lead's workflow (it texts the lead); the week is re-read after. */
export function useAppointmentChange() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: apply,
    onSettled: () => queryClient.invalidateQueries({ queryKey: APPOINTMENTS_KEY }),
  });
}
