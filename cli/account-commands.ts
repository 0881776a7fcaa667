import type { Command } from 'commander';
import { emit, type CliContext } from './context';
import { usageError } from './errors';

const line = (label: string, value: unknown) =>
  `${label.padEnd(18)}${value === null || value === undefined ? '-' : String(value)}`;

/** `leadflow account …`: the account lifecycle and the tenant-wide legal hold. */
export function addAccountCommands(program: Command, ctx: CliContext): void {
  const account = program.command('account').description('Your business account and its tenant-wide legal hold');

  account
    .command('show')
    .summary('The account: subscription, export window, purge and billing-deletion dates, tenant legal hold')
    .action(async (opts: { json?: boolean }) => {
      const [state, hold] = await Promise.all([
        ctx.api('GET', '/v1/business/account'),
        // An operator key may read the account but not the hold's details.
        ctx.api('GET', '/v1/business/legal-hold').catch(() => null),
      ]);
      emit(ctx, opts, { ...state, legalHoldDetails: hold }, () => {
        const lines = [
          line('business', state.businessId),
          line('status', state.status),
          line('subscription', state.subscriptionStatus),
          line('cancelled at', state.cancelledAt),
          line('purge at', state.purgeAt),
          line('billing delete at', state.billingDeleteAt),
          line('legal hold', state.legalHold ? 'yes' : 'no'),
        ];
        if (hold?.held)
          lines.push(
            line('  reason', hold.reason),
            line('  placed by', hold.placedBy),
            line('  placed at', hold.placedAt),
          );
        return lines.join('\n');
      });
    });

  const hold = account.command('hold').description('The legal hold on the whole tenant');

  hold
    .command('place')
    .usage('--reason <why> [options]')
    .summary('Place a legal hold on the whole tenant: every deletion, the purge after cancellation included, pauses')
    .description(
      'Place a legal hold on the whole tenant: every deletion of this business’s data, the purge after cancellation ' +
        'included, pauses until it is released. Needs an owner or compliance key.',
    )
    .option('--reason <why>', 'why the data must be kept (at least 3 characters)')
    .action(async (opts: { reason?: string; json?: boolean }) => {
      if (!opts.reason) throw usageError('--reason "<why>" is required (at least 3 characters)');
      const placed = await ctx.api('PUT', '/v1/business/legal-hold', { reason: opts.reason });
      emit(
        ctx,
        opts,
        placed,
        () =>
          `tenant legal hold placed at ${String(placed.placedAt)}: every deletion of this business's data is paused`,
      );
    });

  hold
    .command('release')
    .summary('Release the tenant legal hold (deletion timers resume)')
    .action(async (opts: { json?: boolean }) => {
      const released = await ctx.api('DELETE', '/v1/business/legal-hold');
      emit(ctx, opts, released, () => 'tenant legal hold released: deletion timers resume');
    });
}
