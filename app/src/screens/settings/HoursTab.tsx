import { useState, type FormEvent } from 'react';
import { SaveStatus } from './SaveStatus';
import { useSaveBusiness, type Business } from './settings-api';
import { WeeklyHoursFields, type Hours } from './WeeklyHoursFields';

/** Business hours (one opening per day), holidays and the services with their prices. */
export function HoursTab({ business }: { business: Business }) {
  const save = useSaveBusiness();
  const [hours, setHours] = useState<Hours>(() => (business.businessHours ?? {}) as Hours);
  const [holidays, setHolidays] = useState<string[]>(() => (business.holidays ?? []) as string[]);
  const [newHoliday, setNewHoliday] = useState('');
  const [services, setServices] = useState(() =>
    business.services.map((s) => ({ ...s, price: s.priceCents === null ? '' : (s.priceCents / 100).toFixed(2) })),
  );

  const updateService = (i: number, patch: Partial<(typeof services)[number]>) =>
    setServices((list) => list.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      businessHours: hours,
      holidays,
      services: services.map((s) => ({
        ...(s.id ? { id: s.id } : {}),
        name: s.name,
        durationMinutes: s.durationMinutes,
        priceCents: s.price.trim() === '' ? null : Math.round(Number(s.price) * 100),
        priceNote: s.priceNote,
        active: s.active,
      })),
    });
  };

  return (
    <form onSubmit={submit}>
      <fieldset>
        <legend>Business hours ({business.timeZone})</legend>
        <WeeklyHoursFields
          idPrefix="business-hours"
          hours={hours}
          onChange={setHours}
          words={{ on: 'Open on', from: 'opens', until: 'closes' }}
        />
      </fieldset>

      <fieldset>
        <legend>Holidays (closed all day)</legend>
        <ul className="list">
          {holidays.map((d) => (
            <li key={d} className="row">
              <span>{d}</span>
              <button type="button" className="ghost" onClick={() => setHolidays((h) => h.filter((x) => x !== d))}>
                Remove {d}
              </button>
            </li>
          ))}
        </ul>
        <div className="row">
          <div>
            <label htmlFor="new-holiday">Add a holiday</label>
            <input id="new-holiday" type="date" value={newHoliday} onChange={(e) => setNewHoliday(e.target.value)} />
          </div>
          <button
            type="button"
            className="ghost"
            disabled={!newHoliday}
            onClick={() => {
              setHolidays((h) => [...new Set([...h, newHoliday])].sort());
              setNewHoliday('');
            }}
          >
            Add holiday
          </button>
        </div>
      </fieldset>

      <fieldset>
        <legend>Services and prices</legend>
        {services.map((s, i) => (
          <div key={s.id || `new-${i}`} className="row">
            <div>
              <label htmlFor={`service-${i}-name`}>Service {i + 1} name</label>
              <input
                id={`service-${i}-name`}
                required
                value={s.name}
                onChange={(e) => updateService(i, { name: e.target.value })}
              />
            </div>
            <div>
              <label htmlFor={`service-${i}-minutes`}>Service {i + 1} length (minutes)</label>
              <input
                id={`service-${i}-minutes`}
                type="number"
                min={15}
                max={720}
                step={15}
                value={s.durationMinutes}
                onChange={(e) => updateService(i, { durationMinutes: Number(e.target.value) })}
              />
            </div>
            <div>
              <label htmlFor={`service-${i}-price`}>Service {i + 1} price ($, empty when quoted)</label>
              <input
                id={`service-${i}-price`}
                inputMode="decimal"
                value={s.price}
                onChange={(e) => updateService(i, { price: e.target.value })}
              />
            </div>
            <label className="inline">
              <input
                type="checkbox"
                checked={s.active}
                onChange={(e) => updateService(i, { active: e.target.checked })}
              />
              Service {i + 1} offered
            </label>
          </div>
        ))}
        <button
          type="button"
          className="ghost"
          onClick={() =>
            setServices((list) => [
              ...list,
              { id: '', name: '', durationMinutes: 60, priceCents: null, priceNote: null, active: true, price: '' },
            ])
          }
        >
          Add a service
        </button>
      </fieldset>
      <button type="submit" disabled={save.isPending}>
        Save hours and services
      </button>
      <SaveStatus mutation={save} />
    </form>
  );
}
