import { useState, type FormEvent } from 'react';
import { ServiceWords } from './ServiceWords';
import { TechnicianCard } from './TechnicianCard';
import type { Business } from './settings-api';
import { useAddTechnician, useTechnicians } from './technicians-api';

/**
 * The bookable people: each with their weekly hours, the services they do and their time off.
 * With nobody here, booking offers the business hours on one calendar.
 */
export function TechniciansTab({ business }: { business: Business }) {
  const technicians = useTechnicians();
  const add = useAddTechnician();
  const [name, setName] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Without services a person is offered for none: a new one does every offered service until changed.
    const serviceIds = business.services.filter((s) => s.active).map((s) => s.id);
    add.mutate({ name: name.trim(), serviceIds }, { onSuccess: () => setName('') });
  };

  return (
    <>
      <p className="muted">
        Offered times come from the people who do the service asked for and are free; each booking goes to the least
        busy of them. The services themselves (names, lengths, prices) are on the “Hours and services” tab.
      </p>
      <form className="card" onSubmit={submit}>
        <h2>Add a technician</h2>
        <div className="row">
          <div>
            <label htmlFor="technician-new-name">Technician’s name</label>
            <input
              id="technician-new-name"
              required
              maxLength={120}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <button type="submit" disabled={add.isPending || name.trim() === ''}>
            Add technician
          </button>
        </div>
        <p className="muted">They start with the business hours and every offered service; change both below.</p>
        {add.isError && (
          <p role="alert" className="error">
            {add.error.message}
          </p>
        )}
      </form>
      {technicians.isPending && <p role="status">Loading the technicians…</p>}
      {technicians.isError && (
        <p role="alert" className="error">
          {technicians.error.message}
        </p>
      )}
      {technicians.data?.length === 0 && <p>No technicians yet: booking uses the business hours.</p>}
      {technicians.data?.map((t) => (
        <TechnicianCard key={`${t.id}:${t.createdAt}`} technician={t} business={business} />
      ))}
      <ServiceWords />
    </>
  );
}
