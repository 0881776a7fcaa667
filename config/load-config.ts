import { crossFieldProblems, ZEnvSchema, type Env } from './env';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the environment once and fails with one line per problem, each naming the
 * variable. Values are never echoed: some of them are secrets.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Env {
  const parsed = ZEnvSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`);
  problems.push(...crossFieldProblems(env));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}

/** For entry points: print the problems and exit without a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Env {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
