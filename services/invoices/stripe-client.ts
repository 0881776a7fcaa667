import Stripe from 'stripe';

export interface StripeSettings {
  /** STRIPE_SECRET_KEY: leadflow's platform key (Connect calls act on a connected account with it). */
  secretKey?: string;
  /** STRIPE_API_BASE_URL: a server speaking Stripe's API (tests, development). */
  apiBaseUrl?: string;
}

/** The official SDK, pointed at STRIPE_API_BASE_URL when set; null without a key. */
export function createStripeClient(settings: StripeSettings): Stripe | null {
  if (!settings.secretKey) return null;
  const base = settings.apiBaseUrl ? new URL(settings.apiBaseUrl) : null;
  return new Stripe(settings.secretKey, {
    maxNetworkRetries: 2,
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
}
