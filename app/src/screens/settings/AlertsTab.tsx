import { useState, type FormEvent } from 'react';
import { SaveStatus } from './SaveStatus';
import { useSaveBusiness, type Business } from './settings-api';

/** Where alerts go besides the app's inbox. */
export function AlertsTab({ business }: { business: Business }) {
  const save = useSaveBusiness();
  const [channels, setChannels] = useState(business.alertChannels);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ alertChannels: channels });
  };
  const toggle = (key: keyof typeof channels, label: string) => (
    <label className="inline">
      <input
        type="checkbox"
        checked={channels[key]}
        onChange={(e) => setChannels({ ...channels, [key]: e.target.checked })}
      />
      {label}
    </label>
  );
  return (
    <form onSubmit={submit}>
      <fieldset>
        <legend>Alert channels (the app’s inbox always gets them)</legend>
        {toggle('sms', `Text the owner’s mobile${business.contactPhone ? ` (${business.contactPhone})` : ''}`)}
        {toggle('email', `Email${business.contactEmail ? ` ${business.contactEmail}` : ' the contact address'}`)}
        {toggle('webhooks', 'Send to webhook endpoints')}
      </fieldset>
      <button type="submit" disabled={save.isPending}>
        Save alert channels
      </button>
      <SaveStatus mutation={save} />
    </form>
  );
}
