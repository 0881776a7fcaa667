import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, problemText } from '../../api/client';
import type { components } from '../../api/schema';

export type Business = components['schemas']['Business'];
export type BusinessPatch = components['schemas']['PatchBusiness'];

export const BUSINESS_KEY = ['business'] as const;

export function useBusiness() {
  return useQuery({
    queryKey: BUSINESS_KEY,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/business');
      if (error || !data) throw new Error(problemText(error, 'The settings could not be loaded.'));
      return data;
    },
  });
}

/** PATCH /v1/business with only the fields a tab changes; the answer is the new settings. */
export function useSaveBusiness() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (patch: BusinessPatch) => {
      const { data, error } = await api.PATCH('/v1/business', { body: patch });
      if (error || !data) throw new Error(problemText(error, 'The settings were not saved.'));
      return data;
    },
    onSuccess: (data) => queryClient.setQueryData(BUSINESS_KEY, data),
  });
}
