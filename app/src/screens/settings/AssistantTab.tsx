import { useState, type FormEvent } from 'react';
import { SaveStatus } from './SaveStatus';
import { useSaveBusiness, type Business } from './settings-api';

type Channel = 'sms' | 'email' | 'both';

/** The assistant: AI on or off, its name and facts, the sender number, and the follow-up cadence. */
export function AssistantTab({ business }: { business: Business }) {
  const save = useSaveBusiness();
  const [aiEnabled, setAiEnabled] = useState(business.aiEnabled);
  const [botName, setBotName] = useState(business.botName);
  const [facts, setFacts] = useState(business.facts);
  const [smsNumber, setSmsNumber] = useState(business.smsNumber ?? '');
  const [steps, setSteps] = useState(() =>
    business.followUpCadence.map((minutes, i) => ({
      minutes,
      channel: (business.followUpChannels[i] ?? 'sms') as Channel,
    })),
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      aiEnabled,
      botName,
      facts,
      // null clears the number; the generated type drops the nullable of the phone schema's override.
      smsNumber: (smsNumber.trim() === '' ? null : smsNumber) as string,
      followUpCadence: steps.map((s) => s.minutes),
      followUpChannels: steps.map((s) => s.channel),
    });
  };
  const setStep = (i: number, patch: Partial<(typeof steps)[number]>) =>
    setSteps((list) => list.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  return (
    <form onSubmit={submit}>
      <fieldset>
        <legend>Assistant</legend>
        <label className="inline">
          <input type="checkbox" checked={aiEnabled} onChange={(e) => setAiEnabled(e.target.checked)} />
          AI writes the replies (off: fixed templates)
        </label>
        <label htmlFor="bot-name">Assistant’s name</label>
        <input id="bot-name" required maxLength={40} value={botName} onChange={(e) => setBotName(e.target.value)} />
        <label htmlFor="facts">Facts the assistant may use</label>
        <textarea id="facts" rows={6} maxLength={4000} value={facts} onChange={(e) => setFacts(e.target.value)} />
        <label htmlFor="sms-number">Sender number</label>
        <input id="sms-number" type="tel" value={smsNumber} onChange={(e) => setSmsNumber(e.target.value)} />
      </fieldset>
      <fieldset>
        <legend>Follow-up cadence (minutes after the last text)</legend>
        {steps.map((s, i) => (
          <div key={i} className="row">
            <div>
              <label htmlFor={`step-${i}-minutes`}>Follow-up {i + 1} after (minutes)</label>
              <input
                id={`step-${i}-minutes`}
                type="number"
                min={5}
                value={s.minutes}
                onChange={(e) => setStep(i, { minutes: Number(e.target.value) })}
              />
            </div>
            <div>
              <label htmlFor={`step-${i}-channel`}>Follow-up {i + 1} by</label>
              <select
                id={`step-${i}-channel`}
                value={s.channel}
                onChange={(e) => setStep(i, { channel: e.target.value as Channel })}
              >
                <option value="sms">Text</option>
                <option value="email">Email</option>
                <option value="both">Text and email</option>
              </select>
            </div>
            <button type="button" className="ghost" onClick={() => setSteps((list) => list.filter((_, j) => j !== i))}>
              Remove follow-up {i + 1}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="ghost"
          disabled={steps.length >= 10}
          onClick={() => setSteps((list) => [...list, { minutes: (list.at(-1)?.minutes ?? 60) * 2, channel: 'sms' }])}
        >
          Add a follow-up
        </button>
      </fieldset>
      <button type="submit" disabled={save.isPending}>
        Save assistant settings
      </button>
      <SaveStatus mutation={save} />
    </form>
  );
}
