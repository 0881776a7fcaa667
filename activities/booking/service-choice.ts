import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { matchService } from '../../domain/service-match';

/** The service a booking is for, or that the lead's words leave it open between several. */
export type ServiceChoice =
  /** `named`: the lead's words named it (not a default). */
  { kind: 'chosen'; serviceId: string | null; named: boolean } | { kind: 'unclear' };

/**
 * What the lead's text names among the business's active services; when the text names
 * none, what they wrote when they were captured ("water heater install" in the form). A
 * business with one service (or none) needs no choice, and one without technicians is not
 * asked (it books its first service, as it always did). `asked`: the lead was already asked
 * which one; an answer that still names none or several gets the first of them rather than
 * the same question again.
 */
export async function chooseService(
  db: Db,
  input: { businessId: string; leadId: string; text: string; asked: boolean },
): Promise<ServiceChoice> {
  const { services, message, technicians } = await withTenant(db, input.businessId, async (tx) => ({
    services: await tx.service.findMany({
      where: { active: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true, name: true, keywords: true },
    }),
    message: (await tx.lead.findUnique({ where: { id: input.leadId }, select: { message: true } }))?.message ?? null,
    technicians: await tx.technician.count({ where: { active: true } }),
  }));
  if (services.length <= 1) return { kind: 'chosen', serviceId: services[0]?.id ?? null, named: false };
  let match = matchService(input.text, services);
  if (match.kind === 'none' && message && !input.asked) match = matchService(message, services);
  if (match.kind === 'one') return { kind: 'chosen', serviceId: match.serviceId, named: true };
  // Without technicians the service decides only the slot's length: the first one, as before services were chosen.
  if (technicians === 0) return { kind: 'chosen', serviceId: null, named: false };
  if (!input.asked) return { kind: 'unclear' };
  return {
    kind: 'chosen',
    serviceId: match.kind === 'several' ? match.serviceIds[0]! : services[0]!.id,
    named: false,
  };
}
