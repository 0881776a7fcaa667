import * as Dialog from '@radix-ui/react-dialog';
import { useId, useState, type FormEvent } from 'react';
import { dayIn, timeIn, zonedInstant } from '../../components/time/zoned-time';
import { useAppointmentChange, type AppointmentItem } from './appointments-api';

/** Move one appointment to another date and time (the lead is texted the new time). */
export function MoveDialog({ appointment, timeZone }: { appointment: AppointmentItem; timeZone: string }) {
  const id = useId();
  const change = useAppointmentChange();
  const [open, setOpen] = useState(false);
  const [day, setDay] = useState(() => dayIn(appointment.start, timeZone));
  const [time, setTime] = useState(() => timeIn(appointment.start, timeZone));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate(
      { kind: 'move', leadId: appointment.leadId, start: zonedInstant(day, time, timeZone).toISOString() },
      { onSuccess: () => setOpen(false) },
    );
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) change.reset();
      }}
    >
      <Dialog.Trigger asChild>
        <button type="button" className="ghost">
          Move
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog card">
          <Dialog.Title>Move {appointment.leadName ?? 'this'}’s appointment</Dialog.Title>
          <Dialog.Description className="muted">
            The slot is checked again; the lead gets a text with the new time.
          </Dialog.Description>
          <form onSubmit={submit}>
            <label htmlFor={`${id}-day`}>New date</label>
            <input id={`${id}-day`} type="date" required value={day} onChange={(e) => setDay(e.target.value)} />
            <label htmlFor={`${id}-time`}>New time</label>
            <input id={`${id}-time`} type="time" required value={time} onChange={(e) => setTime(e.target.value)} />
            {change.isError && (
              <p role="alert" className="error">
                {change.error.message}
              </p>
            )}
            <div className="actions">
              <button type="submit" disabled={change.isPending}>
                Save new time
              </button>
              <Dialog.Close asChild>
                <button type="button" className="ghost">
                  Keep as is
                </button>
              </Dialog.Close>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
