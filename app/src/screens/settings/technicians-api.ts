import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, problemText } from '../../api/client';
import type { components } from '../../api/schema';

export type Technician = components['schemas']['Technician'];
export type TechnicianPatch = components['schemas']['PatchTechnician'];
export type WeeklyHours = components['schemas']['WeeklyHours'];

const TECHNICIANS_KEY = ['technicians'] as const;

export function useTechnicians() {
  return useQuery({
    queryKey: TECHNICIANS_KEY,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/technicians');
      if (error || !data) throw new Error(problemText(error, 'The technicians could not be loaded.'));
      return data.data;
    },
  });
}

/** Every change answers the person as they now are (or nothing, for a removal): the list is read again. */
function useTechnicianChange<T>(run: (value: T) => Promise<{ error?: unknown }>, fallback: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (value: T) => {
      const { error } = await run(value);
      if (error) throw new Error(problemText(error, fallback));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: TECHNICIANS_KEY }),
  });
}

export const useAddTechnician = () =>
  useTechnicianChange(
    (body: { name: string; serviceIds: string[] }) => api.POST('/v1/technicians', { body }),
    'The person was not added.',
  );

export const useSaveTechnician = (id: string) =>
  useTechnicianChange(
    (patch: TechnicianPatch) => api.PATCH('/v1/technicians/{id}', { params: { path: { id } }, body: patch }),
    'The changes were not saved.',
  );

export const useRemoveTechnician = (id: string) =>
  useTechnicianChange(
    () => api.DELETE('/v1/technicians/{id}', { params: { path: { id } } }),
    'The person was not removed.',
  );

export const useAddTimeOff = (id: string) =>
  useTechnicianChange(
    (period: { startsAt: string; endsAt: string; reason: string | null }) =>
      api.POST('/v1/technicians/{id}/time-off', { params: { path: { id } }, body: period }),
    'The time off was not added.',
  );

export const useRemoveTimeOff = (id: string) =>
  useTechnicianChange(
    (timeOffId: string) =>
      api.DELETE('/v1/technicians/{id}/time-off/{timeOffId}', { params: { path: { id, timeOffId } } }),
    'The time off was not removed.',
  );
