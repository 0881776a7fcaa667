import { useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect } from 'react';

/**
 * Refetches the queries an event touches without cancelling one already under way: a
 * burst of events (a capture writes the lead, its first reply and a status) would
 * otherwise restart the same fetch again and again. A query that changes while it is
 * being fetched is fetched once more when that fetch ends.
 */
function createRefresher(queryClient: QueryClient) {
  const again = new Set<string>();
  const unsubscribe = queryClient.getQueryCache().subscribe((event) => {
    const query = event.query;
    if (event.type !== 'updated' || query.state.fetchStatus !== 'idle' || !again.delete(query.queryHash)) return;
    void queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true });
  });
  const refresh = (queryKey: QueryKey, exact = false) => {
    for (const query of queryClient.getQueryCache().findAll({ queryKey, exact })) {
      if (query.state.fetchStatus === 'fetching') again.add(query.queryHash);
      else void queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true });
    }
  };
  return { refresh, stop: unsubscribe };
}

/**
 * Live updates: the API's server-sent events carry ids only; each one refetches the
 * queries it touches. EventSource reconnects by itself after a dropped connection.
 */
export function useLiveEvents() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const { refresh, stop } = createRefresher(queryClient);
    const source = new EventSource('/v1/events');
    const onLead = (event: MessageEvent<string>) => {
      const { leadId } = parse(event.data);
      refresh(['leads']);
      if (leadId) refresh(['lead', leadId], true);
    };
    const onAlert = (event: MessageEvent<string>) => {
      const { leadId } = parse(event.data);
      refresh(['alerts']);
      if (leadId) refresh(['lead', leadId], true);
    };
    // After a reconnect, anything may have changed while the stream was down.
    let opened = false;
    const onOpen = () => {
      if (opened) {
        refresh(['leads']);
        refresh(['alerts']);
      }
      opened = true;
    };
    source.addEventListener('lead', onLead);
    source.addEventListener('alert', onAlert);
    source.addEventListener('open', onOpen);
    return () => {
      source.close();
      stop();
    };
  }, [queryClient]);
}

function parse(data: string): { leadId?: string | null } {
  try {
    return JSON.parse(data) as { leadId?: string | null };
  } catch {
    return {};
  }
}
