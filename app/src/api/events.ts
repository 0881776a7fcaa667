import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

/**
 * Live updates: the API's server-sent events carry ids only; each one refetches the
 * queries it touches. EventSource reconnects by itself after a dropped connection.
 */
export function useLiveEvents() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const source = new EventSource('/v1/events');
    const onLead = (event: MessageEvent<string>) => {
      const { leadId } = parse(event.data);
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
      if (leadId) void queryClient.invalidateQueries({ queryKey: ['lead', leadId] });
    };
    const onAlert = (event: MessageEvent<string>) => {
      const { leadId } = parse(event.data);
      void queryClient.invalidateQueries({ queryKey: ['alerts'] });
      if (leadId) void queryClient.invalidateQueries({ queryKey: ['lead', leadId] });
    };
    // After a reconnect, anything may have changed while the stream was down.
    let opened = false;
    const onOpen = () => {
      if (opened) void queryClient.invalidateQueries({ queryKey: ['leads'] });
      opened = true;
    };
    source.addEventListener('lead', onLead);
    source.addEventListener('alert', onAlert);
    source.addEventListener('open', onOpen);
    return () => source.close();
  }, [queryClient]);
}

function parse(data: string): { leadId?: string | null } {
  try {
    return JSON.parse(data) as { leadId?: string | null };
  } catch {
    return {};
  }
}
