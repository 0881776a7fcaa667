#!/usr/bin/env -S node --import tsx
/**
 * `npm run leadflow -- <command>`: compliance work against a running leadflow API.
 *
 * Adding commands: write cli/<topic>-commands.ts that calls
 *   registerCommands([{ name: '<topic> <verb>', usage, summary, async run(args) { … } }])
 * (cli/registry.ts), and add one import line for it below. Commands talk to the API with
 * `api()` (cli/http.ts: LEADFLOW_API_URL, LEADFLOW_API_KEY); a failure the user can act on
 * is a `CliError`, printed as one line with no stack trace. `run` may return an exit code.
 */
import './retention-commands';
import './receipts-commands';
import './hold-commands';
import './account-commands';
import './privacy-commands';
import { allCommands, CliError, findCommand, parseArgs } from './registry';

/** Flags that never take a value, so `--wait <next word>` is not read as `--wait=<word>`. */
const BOOLEAN_FLAGS = new Set(['dry-run', 'wait', 'json', 'help', 'confirm', 'all']);

function help(): string {
  const commands = allCommands();
  const width = Math.max(...commands.map((c) => `${c.name} ${c.usage}`.length));
  return [
    'Usage: npm run leadflow -- <command> [arguments]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${`${c.name} ${c.usage}`.padEnd(width)}  ${c.summary}`),
    '',
    'Environment:',
    '  LEADFLOW_API_URL   the API (default http://localhost:3000)',
    '  LEADFLOW_API_KEY   an API key of your business (owner or compliance role)',
    '  DATABASE_URL       receipts verify only: reads the receipt chain from the database',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, BOOLEAN_FLAGS);
  const found = findCommand(args.positional);
  if (!found || args.flags.help) {
    console.log(help());
    if (found || args.flags.help || argv.length === 0) return 0;
    console.error(`leadflow: unknown command "${args.positional.join(' ')}"`);
    return 2;
  }
  const code = await found.command.run({ positional: found.rest, flags: args.flags });
  return typeof code === 'number' ? code : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof CliError) {
    console.error(`leadflow: ${err.message}`);
    process.exitCode = err.exitCode;
  } else {
    // Not ours to explain: still one line, with the error's kind.
    console.error(`leadflow: unexpected ${(err as Error)?.name ?? 'error'}: ${(err as Error)?.message ?? String(err)}`);
    process.exitCode = 1;
  }
}
