/** The exit codes every command documents in its --help. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A failure the user can act on: printed as one line, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad input on the command line: exit 2, and nothing was sent to the API. */
export const usageError = (message: string) => new CliError(message, EXIT.usage);
