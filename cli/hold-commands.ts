import { api } from './http';
import { registerCommands, stringFlag, usageError } from './registry';

interface Hold {
  leadId: string;
  held: boolean;
  reason: string | null;
  placedBy: string | null;
  placedAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function leadIdOf(positional: string[], command: string): string {
  const id = positional[0];
  if (!id || !UUID.test(id)) throw usageError(`${command} needs a lead id (a uuid)`);
  return id;
}

registerCommands([
  {
    name: 'hold place',
    usage: '<leadId> --reason "…"',
    summary: 'Place a legal hold on a lead: every deletion of its data pauses until released',
    async run(args) {
      const leadId = leadIdOf(args.positional, 'hold place');
      const reason = stringFlag(args, 'reason');
      if (!reason) throw usageError('hold place needs --reason "why the data must be kept"');
      const hold = await api<Hold>('PUT', `/v1/leads/${leadId}/legal-hold`, { reason });
      console.log(`legal hold placed on lead ${hold.leadId} at ${hold.placedAt} by ${hold.placedBy}`);
    },
  },
  {
    name: 'hold release',
    usage: '<leadId>',
    summary: "Release a lead's legal hold (its retention timers resume)",
    async run(args) {
      const leadId = leadIdOf(args.positional, 'hold release');
      const hold = await api<Hold>('DELETE', `/v1/leads/${leadId}/legal-hold`);
      console.log(`legal hold released on lead ${hold.leadId}`);
    },
  },
]);
