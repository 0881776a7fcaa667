/**
 * The CLI's command table. Each command module registers its commands when it is imported
 * (see cli/leadflow.ts), so adding a group is one import line there.
 */
export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | true>;
}

export interface Command {
  /** Words that select it, e.g. "retention run". */
  name: string;
  /** Arguments and flags after the name, e.g. "[--dry-run] [--wait]". */
  usage: string;
  summary: string;
  run(args: ParsedArgs): Promise<number | void>;
}

const commands = new Map<string, Command>();

export function registerCommands(list: Command[]): void {
  for (const c of list) {
    if (commands.has(c.name)) throw new Error(`two commands named "${c.name}"`);
    commands.set(c.name, c);
  }
}

export function allCommands(): Command[] {
  return [...commands.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The longest registered name the arguments start with ("retention run" before "retention"). */
export function findCommand(words: string[]): { command: Command; rest: string[] } | null {
  for (let n = Math.min(3, words.length); n > 0; n -= 1) {
    const command = commands.get(words.slice(0, n).join(' '));
    if (command) return { command, rest: words.slice(n) };
  }
  return null;
}

/** A failure the user can act on: printed as one line, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, 2);

/** `--flag`, `--flag value`, `--flag=value`; everything else is positional. */
export function parseArgs(argv: string[], booleanFlags: ReadonlySet<string> = new Set()): ParsedArgs {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (inline !== undefined) flags[name] = inline;
    else if (!booleanFlags.has(name) && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) flags[name] = argv[++i]!;
    else flags[name] = true;
  }
  return { positional, flags };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  if (v === true) throw usageError(`--${name} needs a value`);
  return v;
}
