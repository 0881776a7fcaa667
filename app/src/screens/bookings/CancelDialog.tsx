import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useState } from 'react';
import { useAppointmentChange, type AppointmentItem } from './appointments-api';

/** Cancelling texts the lead, so it is confirmed first. */
export function CancelDialog({ appointment, when }: { appointment: AppointmentItem; when: string }) {
  const change = useAppointmentChange();
  const [open, setOpen] = useState(false);
  return (
    <AlertDialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) change.reset();
      }}
    >
      <AlertDialog.Trigger asChild>
        <button type="button" className="ghost">
          Cancel
        </button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content className="dialog card">
          <AlertDialog.Title>Cancel this appointment?</AlertDialog.Title>
          <AlertDialog.Description>
            {appointment.leadName ?? 'The lead'}, {when}. The lead is told by text unless they opted out.
          </AlertDialog.Description>
          {change.isError && (
            <p role="alert" className="error">
              {change.error.message}
            </p>
          )}
          <div className="actions">
            <button
              type="button"
              className="danger"
              disabled={change.isPending}
              onClick={() =>
                change.mutate({ kind: 'cancel', leadId: appointment.leadId }, { onSuccess: () => setOpen(false) })
              }
            >
              Cancel appointment
            </button>
            <AlertDialog.Cancel asChild>
              <button type="button" className="ghost">
                Keep it
              </button>
            </AlertDialog.Cancel>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
