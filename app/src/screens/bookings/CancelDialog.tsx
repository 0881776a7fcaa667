import { ConfirmDialog } from '../../components/ui/ConfirmDialog';
import { useAppointmentChange, type AppointmentItem } from './appointments-api';

/** Cancelling texts the lead, so it is confirmed first. */
export function CancelDialog({ appointment, when }: { appointment: AppointmentItem; when: string }) {
  const change = useAppointmentChange();
  return (
    <ConfirmDialog
      trigger="Cancel"
      title="Cancel this appointment?"
      description={`${appointment.leadName ?? 'The lead'}, ${when}. The lead is told by text unless they opted out.`}
      confirm="Cancel appointment"
      keep="Keep it"
      mutation={change}
      onConfirm={(close) => change.mutate({ kind: 'cancel', leadId: appointment.leadId }, { onSuccess: close })}
    />
  );
}
