import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help } from 'commander';
import { addAccountCommands } from './account-commands';
import { contextOf, type CliContext, type CliIo } from './context';
import { CliError, EXIT } from './errors';
import { addHoldCommands } from './hold-commands';
import { addPrivacyCommands } from './privacy-commands';
import { addReceiptsCommands } from './receipts-commands';
import { addRetentionCommands } from './retention-commands';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

const EPILOGUE = `
Exit codes:
  0  done
  1  failed: the API refused or could not be reached, a run failed or timed out, a receipt chain is broken
  2  usage: an unknown command or option, a missing or bad argument (nothing was sent to the API)

Environment:
  LEADFLOW_API_URL   the API (default http://localhost:3000)
  LEADFLOW_API_KEY   an API key of your business (owner or compliance role)
  DATABASE_URL       receipts verify only: reads the receipt chain from the database`;

/** The commands a user runs: those without subcommands, named by their full path ("account hold place"). */
const leaves = (cmd: Command): Command[] => cmd.commands.flatMap((c) => (c.commands.length ? leaves(c) : [c]));
const pathOf = (cmd: Command): string => (cmd.parent?.parent ? `${pathOf(cmd.parent)} ${cmd.name()}` : cmd.name());
const everyCommand = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(everyCommand)];

/**
 * The whole CLI as one commander program. Adding a group: write cli/<topic>-commands.ts exporting
 * `add<Topic>Commands(program, ctx)` and call it below; every command it adds gets --json and the
 * exit-code epilogue here. A failure the user can act on is a CliError (one line, no stack trace).
 */
export function buildProgram(ctx: CliContext, io: CliIo): Command {
  let listing = false;
  const program = new Command('leadflow')
    .description('Compliance work against a running leadflow API: retention, deletion receipts, legal holds, privacy')
    .version(VERSION, '-V, --version', 'print the version of leadflow')
    // Settings made here are copied to every command added after them.
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'leadflow: ')),
    })
    .configureHelp({
      // A help page lists the runnable commands under it by their full path, so the top-level help is the index.
      // Only while a page is formatted: commander's "did you mean" reads the same list and needs the next words.
      formatHelp(cmd, helper) {
        listing = true;
        try {
          return Help.prototype.formatHelp.call(this, cmd, helper);
        } finally {
          listing = false;
        }
      },
      visibleCommands(cmd) {
        if (!listing) return Help.prototype.visibleCommands.call(this, cmd);
        return leaves(cmd).sort((a, b) => pathOf(a).localeCompare(pathOf(b)));
      },
      subcommandTerm: (cmd) => `${pathOf(cmd)} ${cmd.usage().replace('[options]', '')}`.replace(/\s+/g, ' ').trim(),
    });

  addRetentionCommands(program, ctx);
  addReceiptsCommands(program, ctx);
  addHoldCommands(program, ctx);
  addAccountCommands(program, ctx);
  addPrivacyCommands(program, ctx);

  for (const leaf of leaves(program)) {
    // A command's own page opens with its description; the index line is its summary.
    if (!leaf.description()) leaf.description(leaf.summary());
    leaf.option('--json', 'print the result as JSON on stdout (progress stays on stderr)');
  }
  for (const cmd of everyCommand(program)) cmd.addHelpText('after', EPILOGUE);
  return program;
}

/** Runs one command line; resolves to the exit code (0 done, 1 failed, 2 usage). Never throws, never exits. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx = contextOf(io);
  const program = buildProgram(ctx, io);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.ok;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    // Commander has printed its own message (help, version, or a usage error with its suggestion).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof CliError) {
      io.stderr(`leadflow: ${err.message}\n`);
      return err.exitCode;
    }
    // Not ours to explain: still one line, with the error's kind.
    const e = err as Error | undefined;
    io.stderr(`leadflow: unexpected ${e?.name ?? 'error'}: ${String(e?.message ?? err).split('\n')[0]}\n`);
    return EXIT.failure;
  }
}
