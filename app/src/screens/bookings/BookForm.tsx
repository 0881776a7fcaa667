import { useId, useState, type FormEvent } from 'react';
import { dayIn, zonedInstant } from '../../components/time/zoned-time';
import { useAppointmentChange, useBookableLeads, useServices } from './appointments-api';

/** Book a slot for a lead: the date and time are the business's wall clock. */
export function BookForm({ timeZone, onBooked }: { timeZone: string; onBooked: (day: string) => void }) {
  const id = useId();
  const leads = useBookableLeads();
  const services = useServices();
  const change = useAppointmentChange();
  const [leadId, setLeadId] = useState('');
  const [serviceId, setServiceId] = useState('');
  const [day, setDay] = useState(() => dayIn(new Date(), timeZone));
  const [time, setTime] = useState('09:00');
  const [done, setDone] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const lead = leads.data?.find((l) => l.id === leadId);
    change.mutate(
      {
        kind: 'book',
        leadId,
        start: zonedInstant(day, time, timeZone).toISOString(),
        serviceId: serviceId || undefined,
      },
      {
        onSuccess: () => {
          setDone(`Booked ${lead?.name ?? 'the lead'} on ${day} at ${time}. They get a confirmation text.`);
          onBooked(day);
        },
      },
    );
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Book a slot</h2>
      <div className="row">
        <div>
          <label htmlFor={`${id}-lead`}>Lead</label>
          <select id={`${id}-lead`} required value={leadId} onChange={(e) => setLeadId(e.target.value)}>
            <option value="">Choose a lead…</option>
            {leads.data?.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name ?? 'Unnamed lead'}
                {l.phone ? ` (${l.phone})` : ''}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-service`}>Service</label>
          <select id={`${id}-service`} value={serviceId} onChange={(e) => setServiceId(e.target.value)}>
            <option value="">No particular service (1 hour)</option>
            {services.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.durationMinutes} min)
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-day`}>Date</label>
          <input id={`${id}-day`} type="date" required value={day} onChange={(e) => setDay(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${id}-time`}>Time</label>
          <input id={`${id}-time`} type="time" required value={time} onChange={(e) => setTime(e.target.value)} />
        </div>
        <button type="submit" disabled={change.isPending}>
          Book
        </button>
      </div>
      {leads.isError && <p className="error">{leads.error.message}</p>}
      {change.isError && (
        <p role="alert" className="error">
          {change.error.message}
        </p>
      )}
      {done && <p role="status">{done}</p>}
    </form>
  );
}
