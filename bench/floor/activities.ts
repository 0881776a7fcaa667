import pg from 'pg';
import type { FloorLead } from './workflows';

/** Tables of the floor's own, beside leadflow's in the same database. */
export const FLOOR_TABLES = `
  CREATE TABLE IF NOT EXISTS floor_leads (id uuid PRIMARY KEY, phone text NOT NULL, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS floor_outbox (lead_id uuid PRIMARY KEY, body text NOT NULL, provider_id text, sent_at timestamptz)`;

const body = (lead: FloorLead) => `Hi ${lead.name}, thanks for reaching out! We'll be in touch shortly.`;

/** A plain form POST to Twilio's Messages endpoint (here the local fake): no SDK. */
async function postSms(twilio: { url: string; sid: string; token: string }, lead: FloorLead): Promise<string> {
  const res = await fetch(`${twilio.url}/2010-04-01/Accounts/${twilio.sid}/Messages.json`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${twilio.sid}:${twilio.token}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ To: lead.phone, From: '+15005550006', Body: body(lead) }).toString(),
  });
  const json = (await res.json()) as { sid?: string };
  if (!res.ok || !json.sid) throw new Error(`the carrier answered ${res.status}`);
  return json.sid;
}

export function createFloorActivities(deps: { pool: pg.Pool; twilio: { url: string; sid: string; token: string } }) {
  const { pool, twilio } = deps;
  return {
    async insertLead(lead: FloorLead): Promise<void> {
      await pool.query('INSERT INTO floor_leads (id, phone, name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
        lead.leadId,
        lead.phone,
        lead.name,
      ]);
    },
    async sendSms(lead: FloorLead): Promise<void> {
      await postSms(twilio, lead);
    },
    /** The lead row and its first text's outbox row, in one transaction. */
    async insertLeadWithOutbox(lead: FloorLead): Promise<void> {
      await pool.query(
        `WITH l AS (INSERT INTO floor_leads (id, phone, name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING)
         INSERT INTO floor_outbox (lead_id, body) VALUES ($1, $4) ON CONFLICT (lead_id) DO NOTHING`,
        [lead.leadId, lead.phone, lead.name, body(lead)],
      );
    },
    /** Sends unless the outbox row says it went already (a retry), then marks it sent. */
    async sendSmsFromOutbox(lead: FloorLead): Promise<void> {
      const { rows } = await pool.query<{ provider_id: string | null }>(
        'SELECT provider_id FROM floor_outbox WHERE lead_id = $1',
        [lead.leadId],
      );
      if (rows[0]?.provider_id) return;
      const sid = await postSms(twilio, lead);
      await pool.query('UPDATE floor_outbox SET provider_id = $2, sent_at = now() WHERE lead_id = $1', [
        lead.leadId,
        sid,
      ]);
    },
  };
}

export type FloorActivities = ReturnType<typeof createFloorActivities>;
