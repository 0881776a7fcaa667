import { useState, type FormEvent } from 'react';
import { useSendReply } from './queries';

/** A person's text to the lead: sending it hands the lead off from the assistant. */
export function ReplyForm({ leadId }: { leadId: string }) {
  const [text, setText] = useState('');
  const send = useSendReply(leadId);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!text.trim()) return;
    send.mutate(text.trim(), { onSuccess: () => setText('') });
  }
  return (
    <form onSubmit={submit}>
      <label htmlFor="reply">Reply</label>
      <textarea id="reply" rows={3} maxLength={1600} value={text} onChange={(e) => setText(e.target.value)} required />
      <p className="muted" id="reply-hint">
        Your reply hands this lead off from the assistant until you hand it back.
      </p>
      {send.isError && (
        <p role="alert" className="error">
          {send.error.message}
        </p>
      )}
      <button type="submit" disabled={send.isPending} aria-describedby="reply-hint">
        Send reply
      </button>
    </form>
  );
}
