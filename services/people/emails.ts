/** Emails are compared as typed, lower-cased: Dana@Example.com and dana@example.com are one person. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();
