import type { RequestHandler } from 'express';
import Stripe from 'stripe';
import { z } from 'zod';
import { businessIdByStripeCustomer, withTenant } from '../../db/tenant';
import { signalSubscription } from '../../services/account-workflow';
import type { ApiDeps } from '../deps';
import { isUuid } from '../../domain/ids';
import { AppError } from '../http/errors';
import { defineRoute } from '../http/route';
import { isEndedSubscription } from '../../domain/account-lifecycle';
import { createStripeClient } from '../../services/invoices/stripe-client';
import { JOB_INVOICE_METADATA, markJobInvoicePaid } from '../../services/invoices/job-invoices';

export function stripeClient(deps: ApiDeps): Stripe | null {
  return createStripeClient({ secretKey: deps.settings.stripeSecretKey, apiBaseUrl: deps.settings.stripeApiBaseUrl });
}

/** Verifies Stripe's signature over the raw body and hands the event on. */
export function stripeSignature(deps: ApiDeps): RequestHandler {
  const verifier = new Stripe(deps.settings.stripeSecretKey ?? 'sk_unused');
  return (req, res, next) => {
    const secret = deps.settings.stripeWebhookSecret;
    const signature = req.get('stripe-signature');
    if (!secret) return next(new AppError('forbidden', 'Stripe webhooks are not configured on this server'));
    if (!signature || !Buffer.isBuffer(req.body)) return next(new AppError('forbidden', 'missing Stripe-Signature'));
    try {
      res.locals.stripeEvent = verifier.webhooks.constructEvent(req.body, signature, secret);
      next();
    } catch {
      deps.metrics.webhooks.inc({ source: 'stripe', outcome: 'bad_signature' });
      next(new AppError('forbidden', 'the Stripe signature does not match'));
    }
  };
}

const SUBSCRIPTION_EVENTS = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
]);
const BILLING_EVENTS = new Set(['invoice.paid', 'invoice.payment_failed', 'charge.refunded']);

export function stripeRoutes(deps: ApiDeps) {
  /**
   * A job invoice a business's customer paid (leadflow put its ids in the invoice's metadata;
   * on a connected account the event names the account): recorded once, and the lead's
   * workflow stops the reminders and thanks the customer. Not leadflow's subscription billing.
   */
  async function jobInvoicePaid(event: Stripe.Event, invoice: Stripe.Invoice): Promise<void> {
    const businessId = invoice.metadata?.[JOB_INVOICE_METADATA.business];
    const invoiceId = invoice.metadata?.[JOB_INVOICE_METADATA.invoice];
    if (!businessId || !invoiceId || !isUuid(businessId) || !isUuid(invoiceId) || !invoice.id) return;
    const paidAt = new Date((invoice.status_transitions?.paid_at ?? event.created) * 1000);
    const paid = await markJobInvoicePaid(deps.db, {
      businessId,
      invoiceId,
      stripeInvoiceId: invoice.id,
      account: event.account ?? null,
      paidAt,
    });
    if (!paid) return;
    // Signalled on every delivery until one is stored as received: the workflow takes it once.
    await deps.withTemporal(() =>
      deps.leads.invoicePaid(paid.leadId, { invoiceId: paid.invoiceId, paidAt: paid.paidAt }),
    );
  }

  async function handle(event: Stripe.Event): Promise<void> {
    if (event.type === 'invoice.paid') {
      const invoice = event.data.object;
      if (invoice.metadata?.[JOB_INVOICE_METADATA.invoice]) return jobInvoicePaid(event, invoice);
    }
    if (event.type === 'checkout.session.completed') {
      const session = event.data.object as Stripe.Checkout.Session;
      const businessId = session.client_reference_id;
      const customer = typeof session.customer === 'string' ? session.customer : session.customer?.id;
      if (businessId && customer) {
        await withTenant(deps.db, businessId, (tx) =>
          tx.business.updateMany({ where: { id: businessId }, data: { stripeCustomerId: customer } }),
        );
      }
      return;
    }
    if (SUBSCRIPTION_EVENTS.has(event.type)) {
      const sub = event.data.object as Stripe.Subscription;
      const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
      const businessId = await businessIdByStripeCustomer(deps.db, customer);
      if (!businessId) return;
      const status = event.type === 'customer.subscription.deleted' ? 'canceled' : sub.status;
      const cancelledAt = await withTenant(deps.db, businessId, async (tx) => {
        const b = await tx.business.findUniqueOrThrow({ where: { id: businessId } });
        const updated = await tx.business.update({
          where: { id: businessId },
          data: {
            subscriptionStatus: status,
            stripeSubscriptionId: sub.id,
            cancelledAt: isEndedSubscription(status) ? (b.cancelledAt ?? deps.now()) : null,
          },
        });
        return updated.cancelledAt;
      });
      // The account workflow owns what follows: pausing or resuming the business's leads,
      // the export window and the purge. Stored first, so the workflow can always re-read it;
      // a failed signal fails the webhook, and Stripe's retry stores and signals again.
      await deps.withTemporal(() =>
        signalSubscription(
          { temporal: deps.temporal, businessId, taskQueue: deps.taskQueue },
          { status, at: (cancelledAt ?? deps.now()).toISOString() },
        ),
      );
      return;
    }
    if (BILLING_EVENTS.has(event.type)) {
      const object = event.data.object as {
        customer?: string | { id: string } | null;
        amount_paid?: number;
        amount_due?: number;
        amount_refunded?: number;
        currency?: string;
      };
      const customer = typeof object.customer === 'string' ? object.customer : object.customer?.id;
      const businessId = customer ? await businessIdByStripeCustomer(deps.db, customer) : null;
      if (!businessId) return;
      await withTenant(deps.db, businessId, (tx) =>
        tx.billingRecord.upsert({
          where: { stripeEventId: event.id },
          create: {
            businessId,
            stripeEventId: event.id,
            type: event.type,
            amountCents: object.amount_paid ?? object.amount_refunded ?? object.amount_due ?? null,
            currency: object.currency ?? null,
            occurredAt: new Date(event.created * 1000),
          },
          update: {},
        }),
      );
    }
  }

  const billing = () => {
    const stripe = stripeClient(deps);
    if (!stripe) throw new AppError('conflict', 'billing is not configured on this server (STRIPE_SECRET_KEY)');
    return stripe;
  };
  const ZUrl = z.url({ message: 'must be a URL' }).max(2000);

  return [
    defineRoute({
      method: 'post',
      path: '/v1/webhooks/stripe',
      tag: 'Webhooks',
      summary: 'Subscription and billing events from Stripe (signed; replays are ignored)',
      security: 'stripeSignature',
      responses: {
        200: { description: 'Received', schema: z.object({ received: z.literal(true), duplicate: z.boolean() }) },
      },
      handler: async ({ res }) => {
        const event = res.locals.stripeEvent as Stripe.Event;
        const seen = await deps.db.webhookReceipt.findUnique({ where: { id: `stripe:${event.id}` } });
        if (seen) {
          deps.metrics.webhooks.inc({ source: 'stripe', outcome: 'duplicate' });
          return { status: 200, body: { received: true, duplicate: true } };
        }
        await handle(event);
        await deps.db.webhookReceipt.upsert({
          where: { id: `stripe:${event.id}` },
          create: { id: `stripe:${event.id}`, source: 'stripe' },
          update: {},
        });
        deps.metrics.webhooks.inc({ source: 'stripe', outcome: event.type });
        return { status: 200, body: { received: true, duplicate: false } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/billing/checkout-session',
      tag: 'Billing',
      summary: 'A Stripe Checkout link to start or change the subscription',
      security: 'apiKey',
      roles: ['owner'],
      body: z.strictObject({ priceId: z.string().min(1).max(200), successUrl: ZUrl, cancelUrl: ZUrl }),
      responses: {
        201: { description: 'Checkout session', schema: z.object({ url: z.string() }) },
        409: { description: 'Billing is not configured' },
      },
      handler: async ({ auth, body }) => {
        const stripe = billing();
        const business = await withTenant(deps.db, auth.businessId, (tx) =>
          tx.business.findUniqueOrThrow({ where: { id: auth.businessId } }),
        );
        const session = await stripe.checkout.sessions.create({
          mode: 'subscription',
          line_items: [{ price: body.priceId, quantity: 1 }],
          client_reference_id: auth.businessId,
          ...(business.stripeCustomerId ? { customer: business.stripeCustomerId } : {}),
          success_url: body.successUrl,
          cancel_url: body.cancelUrl,
        });
        return { status: 201, body: { url: session.url ?? '' } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/billing/portal-session',
      tag: 'Billing',
      summary: 'A Stripe customer-portal link (invoices, card, cancellation)',
      security: 'apiKey',
      roles: ['owner'],
      body: z.strictObject({ returnUrl: ZUrl }),
      responses: {
        201: { description: 'Portal session', schema: z.object({ url: z.string() }) },
        409: { description: 'Billing is not configured, or no subscription yet' },
      },
      handler: async ({ auth, body }) => {
        const stripe = billing();
        const business = await withTenant(deps.db, auth.businessId, (tx) =>
          tx.business.findUniqueOrThrow({ where: { id: auth.businessId } }),
        );
        if (!business.stripeCustomerId)
          throw new AppError('conflict', 'this business has no Stripe customer yet: start with a checkout session');
        const session = await stripe.billingPortal.sessions.create({
          customer: business.stripeCustomerId,
          return_url: body.returnUrl,
        });
        return { status: 201, body: { url: session.url } };
      },
    }),
  ];
}
