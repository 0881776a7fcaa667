import type Stripe from 'stripe';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';

export interface CreateJobInvoiceInput {
  /** Workflow id + step: each Stripe call's Idempotency-Key derives from it, so a retried activity makes one invoice. */
  idempotencyKey: string;
  businessId: string;
  leadId: string;
  appointmentId: string;
  amountCents: number;
}

export type CreateJobInvoiceResult =
  | { created: true; invoiceId: string; stripeInvoiceId: string; hostedUrl: string; amountCents: number }
  /** Nothing invoiced: no Stripe key on this server. The review request follows the job directly. */
  | { created: false; reason: 'not_configured' };

/** What a paid invoice tells the lead's workflow. */
export interface PaidJobInvoice {
  invoiceId: string;
  leadId: string;
  appointmentId: string;
  amountCents: number;
  paidAt: string;
}

/** Marks the invoice's Stripe objects as leadflow's job invoices (the webhook tells them from subscription billing). */
export const JOB_INVOICE_METADATA = {
  business: 'leadflow_business',
  lead: 'leadflow_lead',
  invoice: 'leadflow_invoice',
};

/**
 * The job's invoice on the business's Stripe account (Connect: the Stripe-Account header),
 * or leadflow's own when the business has connected none (development): a customer for the
 * lead, a draft invoice, one line (the service and the amount), finalized for its hosted
 * link. The row comes first and is unique per appointment; every Stripe call carries an
 * idempotency key from the workflow step, so a retry after a crash anywhere here makes no
 * second customer, invoice or line.
 */
export async function createJobInvoice(
  deps: { db: Db; stripe: Stripe | null },
  input: CreateJobInvoiceInput,
): Promise<CreateJobInvoiceResult> {
  const { db, stripe } = deps;
  if (!stripe) return { created: false, reason: 'not_configured' };
  const { row, lead, business, serviceName } = await withTenant(db, input.businessId, async (tx) => {
    await tx.jobInvoice.upsert({
      where: { businessId_appointmentId: { businessId: input.businessId, appointmentId: input.appointmentId } },
      create: {
        businessId: input.businessId,
        leadId: input.leadId,
        appointmentId: input.appointmentId,
        amountCents: input.amountCents,
      },
      update: {},
    });
    const row = await tx.jobInvoice.findUniqueOrThrow({
      where: { businessId_appointmentId: { businessId: input.businessId, appointmentId: input.appointmentId } },
    });
    const lead = await tx.lead.findUniqueOrThrow({
      where: { id: input.leadId },
      select: { name: true, phone: true, email: true },
    });
    const business = await tx.business.findUniqueOrThrow({
      where: { id: input.businessId },
      select: { name: true, stripeConnectAccountId: true },
    });
    const appointment = await tx.appointment.findUnique({
      where: { id: input.appointmentId },
      select: { service: { select: { name: true } } },
    });
    return { row, lead, business, serviceName: appointment?.service?.name ?? null };
  });
  if (row.stripeInvoiceId && row.hostedUrl)
    return {
      created: true,
      invoiceId: row.id,
      stripeInvoiceId: row.stripeInvoiceId,
      hostedUrl: row.hostedUrl,
      amountCents: row.amountCents,
    };

  const account = business.stripeConnectAccountId;
  const options = (step: string): Stripe.RequestOptions => ({
    idempotencyKey: `${input.idempotencyKey}:${step}`,
    ...(account ? { stripeAccount: account } : {}),
  });
  const metadata = {
    [JOB_INVOICE_METADATA.business]: input.businessId,
    [JOB_INVOICE_METADATA.lead]: input.leadId,
    [JOB_INVOICE_METADATA.invoice]: row.id,
  };
  const customer = await stripe.customers.create(
    {
      name: lead.name,
      ...(lead.phone ? { phone: lead.phone } : {}),
      ...(lead.email ? { email: lead.email } : {}),
      metadata,
    },
    options('customer'),
  );
  const draft = await stripe.invoices.create(
    {
      customer: customer.id,
      collection_method: 'send_invoice',
      days_until_due: 14,
      // leadflow texts the link and the reminders; Stripe sends nothing on its own.
      auto_advance: false,
      pending_invoice_items_behavior: 'exclude',
      description: `${business.name}`,
      metadata,
    },
    options('invoice'),
  );
  await stripe.invoiceItems.create(
    {
      customer: customer.id,
      invoice: draft.id,
      amount: row.amountCents,
      currency: row.currency,
      description: serviceName ?? 'Service visit',
      metadata,
    },
    options('item'),
  );
  const finalized = await stripe.invoices.finalizeInvoice(draft.id!, { auto_advance: false }, options('finalize'));
  if (!finalized.hosted_invoice_url) throw new Error('Stripe finalized the invoice without a hosted link');
  await withTenant(db, input.businessId, (tx) =>
    tx.jobInvoice.update({
      where: { id: row.id },
      data: {
        stripeAccountId: account,
        stripeCustomerId: customer.id,
        stripeInvoiceId: finalized.id,
        hostedUrl: finalized.hosted_invoice_url,
        // Paid meanwhile (the webhook came first): stays paid.
        ...(row.status === 'draft' ? { status: 'open' } : {}),
      },
    }),
  );
  return {
    created: true,
    invoiceId: row.id,
    stripeInvoiceId: finalized.id!,
    hostedUrl: finalized.hosted_invoice_url,
    amountCents: row.amountCents,
  };
}

/**
 * Stripe says the invoice is paid: the row records it once. Null when it is not one of this
 * business's job invoices; `alreadyPaid` for a second event about the same payment.
 */
export async function markJobInvoicePaid(
  db: Db,
  input: {
    businessId: string;
    invoiceId: string;
    stripeInvoiceId: string;
    /** The connected account the event came from (Connect), null for leadflow's own. */
    account: string | null;
    paidAt: Date;
  },
): Promise<(PaidJobInvoice & { alreadyPaid: boolean }) | null> {
  return withTenant(db, input.businessId, async (tx) => {
    const row = await tx.jobInvoice.findFirst({ where: { id: input.invoiceId, businessId: input.businessId } });
    if (!row) return null;
    // Stripe's id may not be stored yet (the webhook outran the activity's last write): the metadata named the row.
    if (row.stripeInvoiceId && row.stripeInvoiceId !== input.stripeInvoiceId) return null;
    // An event from another account naming this row is not about this invoice.
    if (row.stripeAccountId && row.stripeAccountId !== input.account) return null;
    const alreadyPaid = row.status === 'paid';
    const paid = alreadyPaid
      ? row
      : await tx.jobInvoice.update({
          where: { id: row.id },
          data: { status: 'paid', paidAt: input.paidAt, stripeInvoiceId: input.stripeInvoiceId },
        });
    return {
      invoiceId: paid.id,
      leadId: paid.leadId,
      appointmentId: paid.appointmentId,
      amountCents: paid.amountCents,
      paidAt: (paid.paidAt ?? input.paidAt).toISOString(),
      alreadyPaid,
    };
  });
}
