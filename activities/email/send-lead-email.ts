import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { markEmailFailed, markEmailSent, openEmail } from '../../db/emails';
import { isEmailSuppressed } from '../../db/email-suppressions';
import type { Keyring } from '../../domain/crypto/keyring';
import { isActiveSubscription } from '../../domain/account-lifecycle';
import { emailSuppressionHashes, unsubscribeHeaders, unsubscribeToken } from '../../domain/email-unsubscribe';
import { followUpChannelAt, type FollowUpChannel } from '../../domain/follow-up-channels';
import type { Logger } from '../../logging/logger';
import { EmailPermanentError, type EmailProvider } from '../../providers/email/email-provider';
import { createLocalEmailOutbox } from '../../providers/email/local-outbox';
import type { Language } from '../../domain/language';

export interface SendLeadEmailInput {
  /** Workflow id + step: the same step never emails the lead twice. */
  idempotencyKey: string;
  businessId: string;
  leadId: string;
  kind: 'follow_up';
  /** The follow-up's number, from 1: its channel is the business's setting for that cadence step. */
  step: number;
  /** The lead's language; English when absent. */
  language?: Language;
}

/** The follow-up email in the lead's language. */
const FOLLOW_UP_EMAIL: Record<Language, (business: string, firstName: string) => { subject: string; body: string }> = {
  en: (business, firstName) => ({
    subject: `${business}: following up on your request`,
    body:
      `Hi ${firstName},\n\nThanks again for reaching out to ${business}. ` +
      `Just following up: reply to our text, or to this email, and we will take it from there.\n\n` +
      `Don't want these emails? Use your mail app's unsubscribe button.`,
  }),
  es: (business, firstName) => ({
    subject: `${business}: seguimiento de su solicitud`,
    body:
      `Hola ${firstName}:\n\nGracias de nuevo por escribir a ${business}. ` +
      `Le damos seguimiento: responda a nuestro mensaje de texto, o a este correo, y nos encargamos del resto.\n\n` +
      `¿No quiere recibir estos correos? Use el botón para darse de baja de su aplicación de correo.`,
  }),
};

export type LeadEmailStatus =
  /** The step is SMS only. */
  | 'not_requested'
  | 'sent'
  /** The lead gave no address, or no consent to email. */
  | 'no_consent'
  /** The address unsubscribed from this business's emails. */
  | 'suppressed'
  | 'paused'
  /** No keyring to sign the unsubscribe link with: no email without one. */
  | 'unavailable'
  | 'failed';

export interface SendLeadEmailOutcome {
  channel: FollowUpChannel;
  email: LeadEmailStatus;
  /** Whether the step is also (or instead) texted: an email step the lead cannot get by email is texted. */
  sms: boolean;
}

export interface LeadEmailDeps {
  db: Db;
  log: Logger;
  email?: EmailProvider;
  emailFrom?: string;
  /** Signs unsubscribe links and hashes unsubscribed addresses. */
  privacyKeys?: { keyring: Keyring } | null;
  /** Where the one-click unsubscribe URL points (PUBLIC_BASE_URL). */
  publicBaseUrl?: string;
}

/** Follow-up emails to leads who consented to them, with a one-click unsubscribe (RFC 8058). */
export function createLeadEmailActivities(deps: LeadEmailDeps) {
  const { db, log } = deps;
  const email = deps.email ?? createLocalEmailOutbox();
  const keyring = deps.privacyKeys?.keyring ?? null;
  const baseUrl = (deps.publicBaseUrl ?? 'http://localhost:3000').replace(/\/+$/, '');

  return {
    async sendLeadEmail(input: SendLeadEmailInput): Promise<SendLeadEmailOutcome> {
      const prepared = await withTenant(db, input.businessId, async (tx) => {
        const business = await tx.business.findUniqueOrThrow({
          where: { id: input.businessId },
          select: { name: true, followUpChannels: true, subscriptionStatus: true },
        });
        const channel = followUpChannelAt(business.followUpChannels, input.step - 1);
        const done = (status: LeadEmailStatus) => ({
          outcome: { channel, email: status, sms: channel !== 'email' || status !== 'sent' },
          mail: null,
        });
        if (channel === 'sms') return done('not_requested');
        const existing = await tx.email.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
        if (existing?.status === 'sent') return done('sent');
        if (existing?.status === 'failed') return done('failed');
        const lead = await tx.lead.findUnique({
          where: { id: input.leadId },
          select: { name: true, email: true, emailConsentAt: true },
        });
        if (!lead?.email || !lead.emailConsentAt) return done('no_consent');
        if (!isActiveSubscription(business.subscriptionStatus)) return done('paused');
        if (!keyring) return done('unavailable');
        if (await isEmailSuppressed(tx, emailSuppressionHashes(keyring, input.businessId, lead.email)))
          return done('suppressed');
        const url = `${baseUrl}/v1/email/unsubscribe?token=${unsubscribeToken(keyring, input.businessId, input.leadId)}`;
        const firstName = lead.name.split(/\s+/)[0] || lead.name;
        const written = FOLLOW_UP_EMAIL[input.language ?? 'en'](business.name, firstName);
        const mail = await openEmail(tx, {
          businessId: input.businessId,
          leadId: input.leadId,
          from: deps.emailFrom ?? 'leadflow <follow-ups@localhost>',
          to: lead.email,
          subject: written.subject,
          body: written.body,
          headers: unsubscribeHeaders(url),
          kind: 'follow_up',
          provider: email.name,
          idempotencyKey: input.idempotencyKey,
        });
        return { outcome: null, mail, channel };
      });
      if (prepared.outcome) return prepared.outcome;
      const { mail, channel } = prepared;
      try {
        // The provider's Idempotency-Key makes a resend after a lost answer the same email.
        const sent = await email.send({
          from: mail.fromAddress,
          to: mail.toAddress,
          subject: mail.subject,
          text: mail.body,
          headers: mail.headers as Record<string, string>,
          idempotencyKey: input.idempotencyKey,
        });
        await withTenant(db, input.businessId, (tx) => markEmailSent(tx, mail.id, sent.providerId));
        return { channel, email: 'sent', sms: channel !== 'email' };
      } catch (err) {
        if (!(err instanceof EmailPermanentError)) throw err;
        await withTenant(db, input.businessId, (tx) => markEmailFailed(tx, mail.id, err.code));
        log.warn({ businessId: input.businessId, leadId: input.leadId, code: err.code }, 'follow-up email refused');
        return { channel, email: 'failed', sms: true };
      }
    },
  };
}
