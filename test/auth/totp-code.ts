import { generateSync } from 'otplib';

/** The code an authenticator app shows for `secret` at `at`, as a person would type it. */
export const authenticator = (secret: string, at: Date) =>
  generateSync({ secret, epoch: Math.floor(at.getTime() / 1000) });
