import { Argument, Option, type Command } from 'commander';
import { PRIVACY_REQUEST_TYPES } from '../workflows/privacy/definitions';
import { emit, requireUuid, type CliContext } from './context';
import { usageError } from './errors';

type Request = Record<string, unknown>;

interface OpenOptions {
  lead?: string;
  phone?: string;
  verify: string;
  agentName?: string;
  agentEvidence?: string;
  name?: string;
  email?: string;
  json?: boolean;
}

/** One line per field, no personal data: the request's state as the API shows it. */
function describe(r: Request): string {
  const lines = [
    `request ${r.id} (${r.type}) — ${r.status}${r.waitingFor ? `, waiting for ${r.waitingFor}` : ''}`,
    `  lead ${r.leadId}; due ${r.dueAt}${r.escalatedAt ? `; escalated ${r.escalatedAt}` : ''}`,
    `  verified ${r.verifiedAt ?? 'not yet'}; completed ${r.completedAt ?? 'not yet'}`,
  ];
  if (r.outcome) lines.push(`  outcome ${JSON.stringify(r.outcome)}`);
  return lines.join('\n');
}

/** `leadflow privacy …`: data-subject requests (GDPR/CCPA-style) over the API. */
export function addPrivacyCommands(program: Command, ctx: CliContext): void {
  const privacy = program
    .command('privacy')
    .description('Data-subject requests: access, export, correction, deletion…');

  privacy
    .command('open')
    .addArgument(new Argument('<type>', 'what the person asks for').choices(PRIVACY_REQUEST_TYPES))
    .usage('<type> (--lead <id> | --phone <number>) --verify <method> [options]')
    .summary('Open a data-subject request for a lead (by id or phone), verified by a code or the business owner')
    .description(
      'Open a data-subject request. The person is found by --lead or --phone; --verify code_to_phone texts them a ' +
        '6-digit code, business_confirmation needs an owner key (at once when an owner key opens it). An authorized ' +
        'agent is recorded with --agent-name and --agent-evidence; a correction takes the new --name and/or --email.',
    )
    .option('--lead <id>', 'the lead (a uuid)')
    .addOption(new Option('--phone <number>', 'the number on file, when the lead id is not known').conflicts('lead'))
    .addOption(
      new Option('--verify <method>', 'how the person is verified')
        .choices(['code_to_phone', 'business_confirmation'])
        .makeOptionMandatory(),
    )
    .option('--agent-name <name>', 'an authorized agent acting for the person')
    .option('--agent-evidence <reference>', 'the agent’s authorisation, e.g. a signed letter’s id')
    .option('--name <name>', 'correction: the new name')
    .option('--email <email>', 'correction: the new email address')
    .action(async (type: string, opts: OpenOptions) => {
      if (!opts.lead && !opts.phone) throw usageError('privacy open needs --lead <id> or --phone <number>');
      const agent =
        opts.agentName || opts.agentEvidence ? { name: opts.agentName, evidence: opts.agentEvidence } : undefined;
      const correction = opts.name || opts.email ? { name: opts.name, email: opts.email } : undefined;
      const created = await ctx.api<Request>('POST', '/v1/privacy/requests', {
        type,
        leadId: opts.lead,
        phone: opts.phone,
        verification: { method: opts.verify },
        agent,
        correction,
      });
      emit(ctx, opts, created, () => describe(created));
    });

  privacy
    .command('list')
    .summary('Open requests, soonest due first, with reminders and escalation (--all: completed and rejected too)')
    .option('--all', 'completed and rejected requests too')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const listed = await ctx.api<{ data?: Request[] }>(
        'GET',
        `/v1/privacy/requests?limit=100${opts.all ? '' : '&open=true'}`,
      );
      const rows = listed.data ?? [];
      emit(ctx, opts, rows, () =>
        rows.length === 0 ? (opts.all ? 'no requests' : 'no open requests') : rows.map(describe).join('\n'),
      );
    });

  privacy
    .command('show')
    .argument('<requestId>', 'the id `privacy open` printed')
    .summary('A request’s status, due date, verification and outcome')
    .action(async (requestId: string, opts: { json?: boolean }) => {
      const id = requireUuid(requestId, 'privacy show needs a request id (a uuid)');
      const shown = await ctx.api<Request>('GET', `/v1/privacy/requests/${id}`);
      emit(ctx, opts, shown, () => describe(shown));
    });

  privacy
    .command('verify')
    .argument('<requestId>', 'the id `privacy open` printed')
    .usage('<requestId> (--code <digits> | --confirm) [options]')
    .summary('Verify the person with the code they received, or confirm as the business owner')
    .option('--code <digits>', 'the 6-digit code the person received')
    .addOption(new Option('--confirm', 'confirm for the business (an owner key)').conflicts('code'))
    .action(async (requestId: string, opts: { code?: string; confirm?: boolean; json?: boolean }) => {
      const id = requireUuid(requestId, 'privacy verify needs a request id (a uuid)');
      if (!opts.code && !opts.confirm) throw usageError('privacy verify needs --code <6 digits> or --confirm');
      const verified = await ctx.api<Request>(
        'POST',
        `/v1/privacy/requests/${id}/verify`,
        opts.code ? { code: opts.code } : { confirm: true },
      );
      emit(ctx, opts, verified, () => describe(verified));
    });

  privacy
    .command('export')
    .argument('<requestId>', 'an access or export request')
    .summary('The person’s data as one JSON document on stdout (access and export requests)')
    .action(async (requestId: string) => {
      const id = requireUuid(requestId, 'privacy export needs a request id (a uuid)');
      // JSON with or without --json: the export is a document, not a report.
      ctx.out(JSON.stringify(await ctx.api('GET', `/v1/privacy/requests/${id}/export`), null, 2));
    });
}
