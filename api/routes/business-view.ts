import type { Prisma } from '@prisma/client';
import { followUpChannelsOf } from '../../domain/follow-up-channels';
import { alertChannelsOf } from '../../services/alerts/alert-channels';

type BusinessRow = Prisma.BusinessGetPayload<{ include: { services: true } }>;

/** A business's settings as the API shows them (GET /v1/business, the tenant export). */
export function businessView(b: BusinessRow) {
  return {
    id: b.id,
    name: b.name,
    timeZone: b.timeZone,
    botName: b.botName,
    smsNumber: b.smsNumber,
    contactPhone: b.contactPhone,
    contactEmail: b.contactEmail,
    forwardingPhone: b.forwardingPhone,
    missedCallReplyAtNight: b.missedCallReplyAtNight,
    defaultLanguage: b.defaultLanguage === 'es' ? 'es' : 'en',
    reviewUrl: b.reviewUrl,
    stripeConnectAccountId: b.stripeConnectAccountId,
    businessHours: b.businessHours,
    holidays: b.holidays,
    followUpCadence: b.followUpCadence,
    followUpChannels: followUpChannelsOf(b.followUpChannels, b.followUpCadence.length),
    aiEnabled: b.aiEnabled,
    facts: b.facts,
    consentText: b.consentText,
    allowedOrigins: b.allowedOrigins,
    bookingBufferMinutes: b.bookingBufferMinutes,
    retentionOverrides: b.retentionOverrides,
    subscriptionStatus: b.subscriptionStatus,
    legalHold: b.legalHoldAt !== null,
    services: b.services.map((s) => ({
      id: s.id,
      name: s.name,
      durationMinutes: s.durationMinutes,
      priceCents: s.priceCents,
      priceNote: s.priceNote,
      active: s.active,
    })),
    alertChannels: alertChannelsOf(b.alertChannels),
    createdAt: b.createdAt.toISOString(),
  };
}
