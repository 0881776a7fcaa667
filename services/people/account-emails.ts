import type { Db } from '../../db/prisma';
import { markEmailSent, openEmail, type EmailKind } from '../../db/emails';
import { withTenant } from '../../db/tenant';
import type { EmailProvider } from '../../providers/email/email-provider';

export interface AccountEmailDeps {
  db: Db;
  email: EmailProvider;
  from?: string;
}

/**
 * An invitation or password-reset email, sent from the API at once (the person is waiting
 * for it). The `emails` row is the record; it keeps the single-use link only when it is the
 * local outbox (development, GET /v1/dev/emails): with a real provider the stored body says
 * where the link was, so a database reader cannot use it.
 */
export async function sendAccountEmail(
  deps: AccountEmailDeps,
  mail: {
    businessId: string;
    to: string;
    subject: string;
    text: string;
    link: string;
    kind: EmailKind;
    idempotencyKey: string;
  },
) {
  const local = deps.email.name === 'local';
  const row = await withTenant(deps.db, mail.businessId, (tx) =>
    openEmail(tx, {
      businessId: mail.businessId,
      from: deps.from ?? 'leadflow <accounts@localhost>',
      to: mail.to,
      subject: mail.subject,
      body: local ? mail.text : mail.text.replace(mail.link, '[single-use link, sent and not kept]'),
      kind: mail.kind,
      provider: deps.email.name,
      idempotencyKey: mail.idempotencyKey,
    }),
  );
  const sent = await deps.email.send({
    from: deps.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    idempotencyKey: mail.idempotencyKey,
  });
  await withTenant(deps.db, mail.businessId, (tx) => markEmailSent(tx, row.id, sent.providerId));
}
