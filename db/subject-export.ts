import type { PrivacyRequest } from '@prisma/client';
import { readableBody } from './messages';
import type { Tx } from './tenant';
import { suppressionHmacs, type PrivacyKeys } from '../domain/crypto/privacy-keys';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * Every record about one person, across tables, as one machine-readable document. Read
 * inside the caller's tenant transaction, so row-level security scopes it like any read.
 */
export async function buildSubjectExport(
  tx: Tx,
  { request, keys, now }: { request: PrivacyRequest; keys: PrivacyKeys | null; now: Date },
) {
  const leadId = request.leadId!;
  const lead = await tx.lead.findUniqueOrThrow({ where: { id: leadId } });
  const [messages, consent, appointments, requests] = await Promise.all([
    tx.message.findMany({ where: { leadId }, orderBy: { createdAt: 'asc' } }),
    tx.consentRecord.findMany({ where: { leadId }, orderBy: { capturedAt: 'asc' } }),
    tx.appointment.findMany({
      where: { leadId },
      orderBy: { startsAt: 'asc' },
      include: { service: { select: { name: true } } },
    }),
    tx.privacyRequest.findMany({ where: { leadId }, orderBy: { createdAt: 'asc' } }),
  ]);
  const phones = lead.phone ? [lead.phone, ...(keys ? suppressionHmacs(keys, lead.businessId, lead.phone) : [])] : [];
  const suppressions = phones.length ? await tx.suppression.findMany({ where: { phone: { in: phones } } }) : [];
  // What the business imported about the same person (same phone or email address).
  const imported = await tx.customer.findMany({
    where: {
      OR: [
        ...(lead.phone ? [{ phone: lead.phone }] : []),
        ...(lead.email ? [{ email: { equals: lead.email, mode: 'insensitive' as const } }] : []),
      ],
    },
    include: { consentRecords: true, appointments: { orderBy: { startsAt: 'asc' } } },
  });
  // The invoices of the person's jobs: transaction records (the customer's details are at Stripe).
  const invoices = await tx.jobInvoice.findMany({ where: { leadId }, orderBy: { createdAt: 'asc' } });
  const trail = await tx.auditLog.findMany({
    where: {
      OR: [
        { entity: 'lead', entityId: leadId },
        { entity: 'privacy_request', entityId: { in: requests.map((r) => r.id) } },
      ],
    },
    orderBy: { at: 'asc' },
  });
  return {
    format: 'leadflow.subject-export.v1' as const,
    generatedAt: now.toISOString(),
    request: { id: request.id, type: request.type },
    subject: {
      leadId: lead.id,
      name: lead.name,
      phone: lead.phone,
      email: lead.email,
      message: lead.message,
      source: lead.source,
      status: lead.status,
      createdAt: lead.createdAt.toISOString(),
      lastActivityAt: lead.lastActivityAt.toISOString(),
      restricted: lead.restricted,
      objected: lead.objected,
      marketingOptOut: lead.marketingOptOut,
    },
    messages: messages.map((m) => ({
      id: m.id,
      direction: m.direction,
      kind: m.kind,
      body: readableBody(m),
      status: m.status,
      createdAt: m.createdAt.toISOString(),
      sentAt: iso(m.sentAt),
      aiModel: m.aiModel,
      promptVersion: m.promptVersion,
    })),
    consentRecords: consent.map((c) => ({
      consentText: c.consentText,
      capturedAt: c.capturedAt.toISOString(),
      ip: c.ip,
      userAgent: c.userAgent,
      pageUrl: c.pageUrl,
      method: c.method,
    })),
    appointments: appointments.map((a) => ({
      id: a.id,
      startsAt: a.startsAt.toISOString(),
      endsAt: a.endsAt.toISOString(),
      status: a.status,
      service: a.service?.name ?? null,
    })),
    suppressions: suppressions.map((s) => ({ reason: s.reason, createdAt: s.createdAt.toISOString() })),
    importedCustomers: (lead.phone || lead.email ? imported : []).map((c) => ({
      id: c.id,
      name: c.name,
      phone: c.phone,
      email: c.email,
      notes: c.notes,
      textable: c.textable,
      importedAt: c.createdAt.toISOString(),
      consentRecords: c.consentRecords.map((r) => ({
        consentText: r.consentText,
        capturedAt: r.capturedAt.toISOString(),
        method: r.method,
      })),
      appointments: c.appointments.map((a) => ({ startsAt: a.startsAt.toISOString(), service: a.service })),
    })),
    jobInvoices: invoices.map((i) => ({
      id: i.id,
      appointmentId: i.appointmentId,
      amountCents: i.amountCents,
      currency: i.currency,
      status: i.status,
      hostedUrl: i.hostedUrl,
      createdAt: i.createdAt.toISOString(),
      paidAt: iso(i.paidAt),
    })),
    privacyRequests: requests.map((r) => ({
      id: r.id,
      type: r.type,
      status: r.status,
      createdAt: r.createdAt.toISOString(),
      dueAt: r.dueAt.toISOString(),
      verifiedAt: iso(r.verifiedAt),
      completedAt: iso(r.completedAt),
      agentName: r.agentName,
    })),
    auditTrail: trail.map((a) => ({
      at: a.at.toISOString(),
      action: a.action,
      entity: a.entity,
      entityId: a.entityId,
      actorRole: a.actorRole,
      actorKeyId: a.actorKeyId,
      ip: a.ip,
    })),
  };
}
