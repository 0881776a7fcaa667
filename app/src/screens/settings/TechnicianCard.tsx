import { ConfirmDialog } from '../../components/ui/ConfirmDialog';
import { useId, useState, type FormEvent } from 'react';
import { SaveStatus } from './SaveStatus';
import type { Business } from './settings-api';
import { TechnicianCalendar } from './TechnicianCalendar';
import { TimeOffFields } from './TimeOffFields';
import { useRemoveTechnician, useSaveTechnician, type Technician } from './technicians-api';
import { WeeklyHoursFields, type Hours } from './WeeklyHoursFields';

/** One person: name, whether they take bookings, their hours and services (saved together), time off, removal. */
export function TechnicianCard({ technician, business }: { technician: Technician; business: Business }) {
  const id = useId();
  const save = useSaveTechnician(technician.id);
  const [name, setName] = useState(technician.name);
  const [active, setActive] = useState(technician.active);
  const [hours, setHours] = useState<Hours>(() => technician.weeklyHours as Hours);
  const [serviceIds, setServiceIds] = useState(() => new Set(technician.serviceIds));
  const toggleService = (serviceId: string, on: boolean) =>
    setServiceIds((ids) => {
      const next = new Set(ids);
      if (on) next.add(serviceId);
      else next.delete(serviceId);
      return next;
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ name: name.trim(), active, weeklyHours: hours, serviceIds: [...serviceIds] });
  };

  return (
    <section className="card technician" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{technician.name}</h2>
      <form onSubmit={submit}>
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
        <label className="inline">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
          Takes bookings
        </label>
        <fieldset>
          <legend>Working hours ({business.timeZone})</legend>
          <WeeklyHoursFields
            idPrefix={id}
            hours={hours}
            onChange={setHours}
            words={{ on: 'Works on', from: 'from', until: 'until' }}
          />
        </fieldset>
        <fieldset>
          <legend>Services they do</legend>
          {business.services.length === 0 && <p className="muted">No services yet (Hours and services tab).</p>}
          {business.services.map((s) => (
            <label key={s.id} className="inline">
              <input
                type="checkbox"
                checked={serviceIds.has(s.id)}
                onChange={(e) => toggleService(s.id, e.target.checked)}
              />
              {s.name}
              {s.active ? '' : ' (not offered)'}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={save.isPending}>
          Save {technician.name}
        </button>
        <SaveStatus mutation={save} />
      </form>
      <TechnicianCalendar technician={technician} idPrefix={id} />
      <TimeOffFields technician={technician} timeZone={business.timeZone} />
      <RemoveDialog technician={technician} />
    </section>
  );
}

/** Removing a person moves their booked appointments to others (or leaves them unassigned), so it is confirmed first. */
function RemoveDialog({ technician }: { technician: Technician }) {
  const remove = useRemoveTechnician(technician.id);
  return (
    <ConfirmDialog
      trigger={`Remove ${technician.name}`}
      title={`Remove ${technician.name}?`}
      description="They are no longer offered for bookings. Their appointments still to come go to someone else who does the service and is free then; one nobody can take stays booked, unassigned, and you get an alert."
      confirm="Remove"
      keep="Keep them"
      mutation={remove}
      onConfirm={(close) => remove.mutate(undefined, { onSuccess: close })}
    />
  );
}
