/** What a reply may draw on: the business's public facts, never a person's data. */
export interface BusinessFacts {
  businessName: string;
  botName: string;
  /** e.g. "Mon–Fri 08:00–17:00, Sat 09:00–13:00" */
  hours: string;
  services: Array<{ name: string; durationMinutes: number; price: string | null }>;
  /** Free-text facts the owner wrote (service area, licences). */
  notes?: string;
}
