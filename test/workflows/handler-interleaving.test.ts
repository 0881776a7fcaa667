import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookSlotUpdate, leadWorkflowId } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';

/**
 * The booking update awaits activities while the main loop answers texts: they take turns,
 * so a booking, a "cancel my appointment" and a STOP that arrive together end in one
 * consistent state, whatever order they land in.
 */
describe('lead workflow: a booking, a cancellation and an opt-out at once', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  for (const order of ['booking first', 'texts first'] as const) {
    it(`ends opted out with the appointment and the state agreeing (${order})`, async () => {
      const business = await createBusiness(h.database.db);
      await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
      const phone = order === 'booking first' ? '+12125550171' : '+12125550172';
      const { leadId } = await h.startLead({ businessId: business.id, lead: { phone } });
      await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);
      await h.text({ businessId: business.id, from: phone, body: 'When can someone come by?' });
      await expect.poll(async () => (await h.state(leadId)).status, { timeout: 20_000 }).toBe('offered');
      const slot = (await h.state(leadId)).offer!.slots[0]!;

      const handle = h.env.client.workflow.getHandle(leadWorkflowId(leadId));
      const book = () => handle.executeUpdate(bookSlotUpdate, { args: [{ start: slot.start }] }).catch((e: Error) => e);
      const texts = async () => {
        await h.text({ businessId: business.id, from: phone, body: 'Please cancel my appointment' });
        await h.text({ businessId: business.id, from: phone, body: 'STOP' });
      };
      const [booking] =
        order === 'booking first'
          ? await Promise.all([book(), texts()])
          : await Promise.all([texts().then(book), Promise.resolve()]);

      const kinds = async () => (await h.outbox(leadId)).map((m) => m.kind);
      // Settled: the STOP is answered (its confirmation is the last step of its handling) and nothing runs.
      await expect.poll(kinds, { timeout: 30_000 }).toContain('opt_out_confirmation');
      await expect
        .poll(
          async () => {
            const s = await h.state(leadId);
            const { raw } = await handle.describe();
            return s.inbox.length === 0 && s.status === 'opted_out' && (raw.pendingActivities?.length ?? 0) === 0;
          },
          { timeout: 30_000 },
        )
        .toBe(true);
      const state = await h.state(leadId);
      expect(state.optedOut).toBe(true);
      const booked = await h.database.db.appointment.findMany({ where: { leadId, status: 'booked' } });
      // The state and the database tell the same story: one live appointment exactly when the state holds it.
      if (state.booking) expect(booked.map((a) => a.id)).toEqual([state.booking.appointmentId]);
      else expect(booked).toEqual([]);
      if ('ok' in booking && booking.ok) {
        const row = await h.database.db.appointment.findUniqueOrThrow({ where: { id: booking.booking.appointmentId } });
        expect(row.status).toBe(state.booking ? 'booked' : 'cancelled');
      } else expect(state.booking).toBeNull();

      // One opt-out confirmation, the last text; nothing after it, reminders included.
      expect((await kinds()).filter((k) => k === 'opt_out_confirmation')).toHaveLength(1);
      expect((await kinds()).at(-1)).toBe('opt_out_confirmation');
      const sent = (await kinds()).length;
      await h.sleep('4 days');
      await h.settle(500);
      expect(await kinds()).toHaveLength(sent);
    });
  }
});
