/** Workflow time (deterministic under replay: the SDK fixes Date.now() per activation), as ISO-8601. */
export const nowIso = (): string => new Date(Date.now()).toISOString();
