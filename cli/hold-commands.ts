import type { Command } from 'commander';
import { emit, requireUuid, type CliContext } from './context';
import { usageError } from './errors';

interface Hold {
  leadId: string;
  held: boolean;
  reason: string | null;
  placedBy: string | null;
  placedAt: string | null;
}

/** `leadflow hold …`: a legal hold on one lead. The tenant-wide hold is `leadflow account hold …`. */
export function addHoldCommands(program: Command, ctx: CliContext): void {
  const hold = program.command('hold').description('Legal holds on one lead');

  hold
    .command('place')
    .argument('<leadId>', 'the lead (a uuid)')
    .usage('<leadId> --reason <why> [options]')
    .summary('Place a legal hold on a lead: every deletion of its data pauses until released')
    .option('--reason <why>', 'why the data must be kept (recorded with the hold)')
    .action(async (leadId: string, opts: { reason?: string; json?: boolean }) => {
      const id = requireUuid(leadId, 'hold place needs a lead id (a uuid)');
      if (!opts.reason) throw usageError('hold place needs --reason "why the data must be kept"');
      const placed = await ctx.api<Hold>('PUT', `/v1/leads/${id}/legal-hold`, { reason: opts.reason });
      emit(
        ctx,
        opts,
        placed,
        () => `legal hold placed on lead ${placed.leadId} at ${placed.placedAt} by ${placed.placedBy}`,
      );
    });

  hold
    .command('release')
    .argument('<leadId>', 'the lead (a uuid)')
    .summary("Release a lead's legal hold (its retention timers resume)")
    .action(async (leadId: string, opts: { json?: boolean }) => {
      const id = requireUuid(leadId, 'hold release needs a lead id (a uuid)');
      const released = await ctx.api<Hold>('DELETE', `/v1/leads/${id}/legal-hold`);
      emit(ctx, opts, released, () => `legal hold released on lead ${released.leadId}`);
    });
}
