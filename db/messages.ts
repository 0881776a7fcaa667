/**
 * Kinds of outbound text whose body is a secret for the person's phone alone. A
 * data-subject verification code proves that whoever types it holds the phone; anyone at
 * the business who could read it could verify a request in the person's name. The row
 * keeps the real text (a retried send must send the same code, and finds the carrier's
 * copy by it); everything that shows messages to people shows readableBody instead.
 */
export const SECRET_MESSAGE_KINDS: ReadonlySet<string> = new Set(['verification_code']);

/** What readers see in place of a verification code text. */
export const HIDDEN_CODE_BODY =
  'A verification code for a privacy request (not shown: only the person’s phone shows it).';

/**
 * The body of a message as every reader of the API, its exports and the AI see it: the text
 * itself, or for a secret kind (by kind, whatever the request's state: open, locked or
 * expired) a placeholder. Only the send path and the local SMS outbox use the row's body.
 */
export function readableBody(message: { kind: string; body: string }): string {
  return SECRET_MESSAGE_KINDS.has(message.kind) ? HIDDEN_CODE_BODY : message.body;
}

/** The same for a whole row (exports that list every column). */
export function readableMessage<T extends { kind: string; body: string }>(message: T): T {
  return SECRET_MESSAGE_KINDS.has(message.kind) ? { ...message, body: HIDDEN_CODE_BODY } : message;
}
