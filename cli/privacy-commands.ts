/**
 * `leadflow privacy …`: data-subject requests over the API.
 *
 *   privacy open <type> (--lead <id> | --phone <number>) --verify code_to_phone|business_confirmation
 *                [--agent-name "…" --agent-evidence "…"] [--name "…"] [--email …]
 *   privacy show <requestId>
 *   privacy verify <requestId> (--code 123456 | --confirm)
 *   privacy export <requestId>          the person's data as JSON on stdout
 *
 * Plain functions of (argv, deps) that return what to print, registered with the CLI entry
 * (cli/leadflow.ts) at the end of this file; tests call them against a real API.
 */
import { apiAt } from './http';
import { CliError, registerCommands, type Command, type ParsedArgs } from './registry';

export interface PrivacyCliDeps {
  /** e.g. http://localhost:3000 (LEADFLOW_API_URL) */
  apiUrl: string;
  /** LEADFLOW_API_KEY: an owner or compliance key */
  apiKey: string | undefined;
}

export interface CliResult {
  output: string;
  exitCode: number;
}

export class PrivacyCliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'PrivacyCliError';
  }
}

export const PRIVACY_USAGE = [
  'usage:',
  '  leadflow privacy open <type> (--lead <id> | --phone <number>) --verify code_to_phone|business_confirmation [--agent-name "…" --agent-evidence "…"] [--name "…"] [--email …]',
  '  leadflow privacy list [--all]',
  '  leadflow privacy show <requestId>',
  '  leadflow privacy verify <requestId> (--code 123456 | --confirm)',
  '  leadflow privacy export <requestId>',
].join('\n');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parse(argv: string[]) {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) positional.push(arg);
    else if (arg === '--confirm' || arg === '--all') flags[arg.slice(2)] = true;
    else if (arg.includes('=')) flags[arg.slice(2, arg.indexOf('='))] = arg.slice(arg.indexOf('=') + 1);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) flags[arg.slice(2)] = argv[++i]!;
    else flags[arg.slice(2)] = true;
  }
  const text = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  return { positional, flags, text };
}

const call = (deps: PrivacyCliDeps, method: 'GET' | 'POST', path: string, body?: unknown) =>
  apiAt<Record<string, unknown>>({ url: deps.apiUrl, key: deps.apiKey }, method, path, body);

/** One line per field, no personal data: the request's state as the API shows it. */
function describe(r: Record<string, unknown>): string {
  const lines = [
    `request ${r.id} (${r.type}) — ${r.status}${r.waitingFor ? `, waiting for ${r.waitingFor}` : ''}`,
    `  lead ${r.leadId}; due ${r.dueAt}${r.escalatedAt ? `; escalated ${r.escalatedAt}` : ''}`,
    `  verified ${r.verifiedAt ?? 'not yet'}; completed ${r.completedAt ?? 'not yet'}`,
  ];
  if (r.outcome) lines.push(`  outcome ${JSON.stringify(r.outcome)}`);
  return lines.join('\n');
}

function requestIdOf(positional: string[], command: string): string {
  const id = positional[0];
  if (!id || !UUID.test(id))
    throw new PrivacyCliError(`privacy ${command} needs a request id (a uuid)\n${PRIVACY_USAGE}`, 2);
  return id;
}

export async function runPrivacyCommand(argv: string[], deps: PrivacyCliDeps): Promise<CliResult> {
  const [verb, ...rest] = argv;
  const { positional, flags, text } = parse(rest);
  try {
    switch (verb) {
      case 'open': {
        const type = positional[0];
        if (!type)
          throw new PrivacyCliError(
            `privacy open needs a type (access, export, correction, deletion, restriction, objection, marketing_opt_out)\n${PRIVACY_USAGE}`,
            2,
          );
        const method = text('verify');
        if (!method)
          throw new PrivacyCliError('privacy open needs --verify code_to_phone or --verify business_confirmation', 2);
        const agent =
          text('agent-name') || text('agent-evidence')
            ? { name: text('agent-name'), evidence: text('agent-evidence') }
            : undefined;
        const correction = text('name') || text('email') ? { name: text('name'), email: text('email') } : undefined;
        const created = await call(deps, 'POST', '/v1/privacy/requests', {
          type,
          leadId: text('lead'),
          phone: text('phone'),
          verification: { method },
          agent,
          correction,
        });
        return { output: describe(created), exitCode: 0 };
      }
      case 'list': {
        const listed = (await call(
          deps,
          'GET',
          `/v1/privacy/requests?limit=100${flags.all === true ? '' : '&open=true'}`,
        )) as { data?: Array<Record<string, unknown>> };
        const rows = listed.data ?? [];
        if (rows.length === 0) return { output: flags.all === true ? 'no requests' : 'no open requests', exitCode: 0 };
        return { output: rows.map(describe).join('\n'), exitCode: 0 };
      }
      case 'show':
        return {
          output: describe(await call(deps, 'GET', `/v1/privacy/requests/${requestIdOf(positional, 'show')}`)),
          exitCode: 0,
        };
      case 'verify': {
        const id = requestIdOf(positional, 'verify');
        const code = text('code');
        if (!code && flags.confirm !== true)
          throw new PrivacyCliError('privacy verify needs --code <6 digits> or --confirm', 2);
        return {
          output: describe(
            await call(deps, 'POST', `/v1/privacy/requests/${id}/verify`, code ? { code } : { confirm: true }),
          ),
          exitCode: 0,
        };
      }
      case 'export':
        return {
          output: JSON.stringify(
            await call(deps, 'GET', `/v1/privacy/requests/${requestIdOf(positional, 'export')}/export`),
            null,
            2,
          ),
          exitCode: 0,
        };
      default:
        return { output: PRIVACY_USAGE, exitCode: verb === undefined || verb === 'help' ? 0 : 2 };
    }
  } catch (err) {
    if (err instanceof PrivacyCliError || err instanceof CliError)
      return { output: `leadflow: ${err.message}`, exitCode: err.exitCode };
    throw err;
  }
}

/** Back to the words `runPrivacyCommand` reads, from what the CLI entry already parsed. */
function argvOf(verb: string, args: ParsedArgs): string[] {
  const flags = Object.entries(args.flags).map(([name, value]) =>
    value === true ? `--${name}` : `--${name}=${value}`,
  );
  return [verb, ...args.positional, ...flags];
}

const fromEnv = (): PrivacyCliDeps => ({
  apiUrl: (process.env.LEADFLOW_API_URL?.trim() || 'http://localhost:3000').replace(/\/$/, ''),
  apiKey: process.env.LEADFLOW_API_KEY?.trim() || undefined,
});

function privacyCommand(verb: string, usage: string, summary: string): Command {
  return {
    name: `privacy ${verb}`,
    usage,
    summary,
    async run(args) {
      const { output, exitCode } = await runPrivacyCommand(argvOf(verb, args), fromEnv());
      (exitCode === 0 ? console.log : console.error)(output);
      return exitCode;
    },
  };
}

registerCommands([
  privacyCommand(
    'open',
    '<type> (--lead <id> | --phone <n>) --verify <method>',
    'Open a data-subject request: access, export, correction (--name, --email), deletion, restriction, objection, marketing_opt_out; --verify code_to_phone or business_confirmation; an agent with --agent-name and --agent-evidence',
  ),
  privacyCommand(
    'list',
    '[--all]',
    'Open requests, soonest due first, with reminders and escalation (--all: completed and rejected too)',
  ),
  privacyCommand('show', '<requestId>', 'A request’s status, due date, verification and outcome'),
  privacyCommand(
    'verify',
    '<requestId> (--code 123456 | --confirm)',
    'Verify the person with the code they received, or confirm as the business owner',
  ),
  privacyCommand(
    'export',
    '<requestId>',
    'The person’s data as one JSON document on stdout (access and export requests)',
  ),
]);
