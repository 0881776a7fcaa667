import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, problemText } from '../../api/client';
import type { components } from '../../api/schema';

export type GoogleConnection = components['schemas']['GoogleConnection'];
export type GoogleCalendar = components['schemas']['GoogleCalendar'];

const CONNECTION_KEY = ['google-connection'] as const;
const CALENDARS_KEY = ['google-calendars'] as const;

export function useGoogleConnection() {
  return useQuery({
    queryKey: CONNECTION_KEY,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/integrations/google');
      if (error || !data) throw new Error(problemText(error, 'The Google Calendar connection could not be loaded.'));
      return data;
    },
  });
}

/** The connected account's calendars (owner only; asked only once connected). */
export function useGoogleCalendars(enabled: boolean) {
  return useQuery({
    queryKey: CALENDARS_KEY,
    enabled,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/integrations/google/calendars');
      if (error || !data) throw new Error(problemText(error, 'The calendars could not be loaded from Google.'));
      return data.data;
    },
  });
}

/** Google's consent page comes next: the browser leaves the app and comes back through the API's callback. */
export function useConnectGoogle() {
  return useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/v1/integrations/google/connect');
      if (error || !data) throw new Error(problemText(error, 'Google Calendar could not be connected.'));
      return data.url;
    },
    onSuccess: (url) => window.location.assign(url),
  });
}

export function useChooseGoogleCalendar() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (calendarId: string) => {
      const { data, error } = await api.PUT('/v1/integrations/google/calendar', { body: { calendarId } });
      if (error || !data) throw new Error(problemText(error, 'The calendar was not saved.'));
      return data;
    },
    onSuccess: (data) => queryClient.setQueryData(CONNECTION_KEY, data),
  });
}

export function useDisconnectGoogle() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const { error } = await api.DELETE('/v1/integrations/google');
      if (error) throw new Error(problemText(error, 'Google Calendar was not disconnected. Try again.'));
    },
    onSettled: async () => {
      queryClient.removeQueries({ queryKey: CALENDARS_KEY });
      await queryClient.invalidateQueries({ queryKey: CONNECTION_KEY });
    },
  });
}
