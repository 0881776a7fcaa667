import { useState, type FormEvent } from 'react';
import { SaveStatus } from './SaveStatus';
import { useSaveBusiness, type Business } from './settings-api';

type Language = Business['defaultLanguage'];

const LANGUAGES: Array<{ value: Language; label: string }> = [
  { value: 'en', label: 'English' },
  { value: 'es', label: 'Spanish' },
];

/** Missed-call text-back (the phone that rings first, the night rule) and the language leads are texted in. */
export function CallsTab({ business }: { business: Business }) {
  const save = useSaveBusiness();
  const [forwardingPhone, setForwardingPhone] = useState(business.forwardingPhone ?? '');
  const [replyAtNight, setReplyAtNight] = useState(business.missedCallReplyAtNight);
  const [language, setLanguage] = useState<Language>(business.defaultLanguage);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      // null clears the number; the generated type drops the nullable of the phone schema's override.
      forwardingPhone: (forwardingPhone.trim() === '' ? null : forwardingPhone.trim()) as string,
      missedCallReplyAtNight: replyAtNight,
      defaultLanguage: language,
    });
  };

  return (
    <form onSubmit={submit}>
      <fieldset>
        <legend>Missed calls</legend>
        <p className="muted">
          A call to the sender number {business.smsNumber ? `(${business.smsNumber}) ` : ''}rings this phone for 20
          seconds; when nobody answers, the caller gets a text and the assistant carries on the conversation.
        </p>
        <label htmlFor="forwarding-phone">Phone that rings first</label>
        <input
          id="forwarding-phone"
          type="tel"
          autoComplete="tel"
          placeholder="+15555550123"
          value={forwardingPhone}
          onChange={(e) => setForwardingPhone(e.target.value)}
        />
        <label className="inline">
          <input type="checkbox" checked={replyAtNight} onChange={(e) => setReplyAtNight(e.target.checked)} />
          Text a call missed at night (21:00–08:00) back at once
        </label>
        <p className="muted">Off: a call missed at night is texted back at 08:00.</p>
      </fieldset>
      <fieldset>
        <legend>Default language for texts</legend>
        <p className="muted">Until a lead’s own language is known (the widget’s language, or the one they write in).</p>
        {LANGUAGES.map((l) => (
          <label key={l.value} className="inline">
            <input
              type="radio"
              name="default-language"
              value={l.value}
              checked={language === l.value}
              onChange={() => setLanguage(l.value)}
            />
            {l.label}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={save.isPending}>
        Save calls and language
      </button>
      <SaveStatus mutation={save} />
    </form>
  );
}
