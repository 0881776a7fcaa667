const STATUS_LABELS: Record<string, string> = {
  capturing: 'Capturing',
  new: 'New',
  contacted: 'Contacted',
  conversing: 'Conversing',
  offered: 'Slots offered',
  booked: 'Booked',
  completed: 'Completed',
  no_show: 'No-show',
  handed_off: 'With a person',
  opted_out: 'Opted out',
  closed: 'Closed',
  failed: 'Failed',
  retention_deleted: 'Deleted (retention)',
  erased: 'Erased',
};

export const LEAD_STATUSES = Object.keys(STATUS_LABELS).filter((s) => s !== 'capturing');

export const statusLabel = (status: string) => STATUS_LABELS[status] ?? humanise(status);

const WAITING_LABELS: Record<string, string> = {
  person: 'a person at the business',
  subscription: 'an active subscription',
  sender_number: 'a sender number',
  legal_hold_release: 'a legal hold to be released',
};

const CONSENT_METHODS: Record<string, string> = {
  widget: 'On the website’s form',
  api: 'Sent through the API',
  sms: 'Texted in first',
  import: 'Imported with the customer list',
};

export const consentMethodLabel = (method: string) => CONSENT_METHODS[method] ?? humanise(method);

export const waitingLabel = (waitingFor: string) => WAITING_LABELS[waitingFor] ?? humanise(waitingFor);

export function humanise(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A time in the business's own time zone (where its customers and staff are). */
export function formatTime(iso: string | null | undefined, timeZone: string | undefined): string {
  if (!iso) return '';
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
      new Date(iso),
    );
  } catch {
    return new Date(iso).toLocaleString();
  }
}
