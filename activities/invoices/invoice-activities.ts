import { ApplicationFailure } from '@temporalio/activity';
import Stripe from 'stripe';
import type { Db } from '../../db/prisma';
import type { Logger } from '../../logging/logger';
import { createJobInvoice, type CreateJobInvoiceInput } from '../../services/invoices/job-invoices';

export interface InvoiceDeps {
  db: Db;
  log: Logger;
  /** The Stripe SDK (STRIPE_SECRET_KEY, STRIPE_API_BASE_URL); null: jobs are not invoiced. */
  stripe?: Stripe | null;
}

export function createInvoiceActivities(deps: InvoiceDeps) {
  return {
    /** The finished job's Stripe invoice and its hosted link; safe to retry (see createJobInvoice). */
    async createJobInvoice(input: CreateJobInvoiceInput) {
      const result = await createJobInvoice({ db: deps.db, stripe: deps.stripe ?? null }, input).catch(
        (err: unknown) => {
          // Stripe's refusals (a wrong connected account, a bad amount) do not change on a retry.
          if (
            err instanceof Stripe.errors.StripeInvalidRequestError ||
            err instanceof Stripe.errors.StripePermissionError
          ) {
            deps.log.warn(
              { businessId: input.businessId, code: err.code, status: err.statusCode },
              'Stripe refused the job invoice',
            );
            throw ApplicationFailure.nonRetryable(
              `Stripe refused the invoice: ${err.code ?? err.type}`,
              'stripe_refused',
            );
          }
          throw err;
        },
      );
      if (result.created)
        deps.log.info({ businessId: input.businessId, invoiceId: result.invoiceId }, 'job invoice finalized');
      return result;
    },
  };
}
