/**
 * `leadflow account …`: the account lifecycle and the tenant legal hold, over the API.
 *
 *   account show                       subscription, export window, purge and billing dates
 *   account hold place --reason "…"    tenant-wide legal hold (owner or compliance key)
 *   account hold release
 *
 * Plain functions of (args, deps) that return what to print (tests call them directly
 * against a real API), registered below in the CLI's command table (cli/registry.ts).
 */
import { apiAt } from './http';
import { CliError, registerCommands, stringFlag } from './registry';

export interface AccountCliDeps {
  /** e.g. http://localhost:3000 (LEADFLOW_API_URL) */
  apiUrl: string;
  /** LEADFLOW_API_KEY */
  apiKey: string | undefined;
}

export interface CliResult {
  output: string;
  exitCode: number;
}

const USAGE = [
  'usage:',
  '  leadflow account show',
  '  leadflow account hold place --reason "<why>"',
  '  leadflow account hold release',
].join('\n');

const api = (deps: AccountCliDeps, method: 'GET' | 'PUT' | 'DELETE', path: string, body?: unknown) =>
  apiAt<Record<string, unknown>>({ url: deps.apiUrl, key: deps.apiKey }, method, path, body);

const line = (label: string, value: unknown) =>
  `${label.padEnd(18)}${value === null || value === undefined ? '-' : String(value)}`;

export async function showAccount(_args: string[], deps: AccountCliDeps): Promise<CliResult> {
  const [account, hold] = await Promise.all([
    api(deps, 'GET', '/v1/business/account'),
    api(deps, 'GET', '/v1/business/legal-hold').catch(() => null),
  ]);
  const lines = [
    line('business', account.businessId),
    line('status', account.status),
    line('subscription', account.subscriptionStatus),
    line('cancelled at', account.cancelledAt),
    line('purge at', account.purgeAt),
    line('billing delete at', account.billingDeleteAt),
    line('legal hold', account.legalHold ? 'yes' : 'no'),
  ];
  // An operator key may read the account but not the hold's details.
  if (hold?.held)
    lines.push(line('  reason', hold.reason), line('  placed by', hold.placedBy), line('  placed at', hold.placedAt));
  return { output: lines.join('\n'), exitCode: 0 };
}

export async function placeHold(args: string[], deps: AccountCliDeps): Promise<CliResult> {
  const at = args.indexOf('--reason');
  const reason = at >= 0 ? args[at + 1] : undefined;
  if (!reason) throw new CliError('--reason "<why>" is required (at least 3 characters)');
  const hold = await api(deps, 'PUT', '/v1/business/legal-hold', { reason });
  return {
    output: `tenant legal hold placed at ${String(hold.placedAt)}: every deletion of this business's data is paused`,
    exitCode: 0,
  };
}

export async function releaseHold(_args: string[], deps: AccountCliDeps): Promise<CliResult> {
  await api(deps, 'DELETE', '/v1/business/legal-hold');
  return { output: 'tenant legal hold released: deletion timers resume', exitCode: 0 };
}

/** The commands by their words after `account`, for the CLI's command map. */
export const accountCommands: Record<string, (args: string[], deps: AccountCliDeps) => Promise<CliResult>> = {
  show: showAccount,
  'hold place': placeHold,
  'hold release': releaseHold,
};

/** `account <words…> [options]`: finds the longest matching command; errors are one line, never a stack. */
export async function runAccountCommand(args: string[], deps: AccountCliDeps): Promise<CliResult> {
  const two = args.slice(0, 2).join(' ');
  const [name, rest] = accountCommands[two] ? [two, args.slice(2)] : [args[0] ?? '', args.slice(1)];
  const command = accountCommands[name];
  if (!command || args.includes('--help')) return { output: USAGE, exitCode: command ? 0 : 2 };
  try {
    return await command(rest, deps);
  } catch (err) {
    if (err instanceof CliError) return { output: `error: ${err.message}`, exitCode: 1 };
    throw err;
  }
}

/** The API from the environment, as every leadflow command finds it. */
const fromEnv = (): AccountCliDeps => ({
  apiUrl: (process.env.LEADFLOW_API_URL?.trim() || 'http://localhost:3000').replace(/\/$/, ''),
  apiKey: process.env.LEADFLOW_API_KEY?.trim() || undefined,
});

async function print(result: Promise<CliResult>): Promise<number> {
  const { output, exitCode } = await result;
  console.log(output);
  return exitCode;
}

registerCommands([
  {
    name: 'account show',
    usage: '',
    summary: 'The account: subscription, export window, purge and billing-deletion dates, tenant legal hold',
    run: () => print(showAccount([], fromEnv())),
  },
  {
    name: 'account hold place',
    usage: '--reason "…"',
    summary: 'Place a legal hold on the whole tenant: every deletion, the purge after cancellation included, pauses',
    run: (args) => {
      const reason = stringFlag(args, 'reason');
      return print(placeHold(reason ? ['--reason', reason] : [], fromEnv()));
    },
  },
  {
    name: 'account hold release',
    usage: '',
    summary: 'Release the tenant legal hold (deletion timers resume)',
    run: () => print(releaseHold([], fromEnv())),
  },
]);
