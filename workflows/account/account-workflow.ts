import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AccountActivities } from '../../activities/types';
import { isActiveSubscription, isEndedSubscription } from '../../domain/account-lifecycle';
import { DAY_MS } from '../../domain/time';
import { raiseAlert } from '../alerts/raise-alert';
import { legalHoldSignal } from '../lead/definitions';
import { ACCOUNT_STATUS, NEXT_ACTION_AT } from '../search-attributes';
import {
  accountStateQuery,
  accountSubscriptionSignal,
  type AccountState,
  type AccountView,
  type AccountWorkflowInput,
} from './definitions';
import { nowIso } from '../clock';

/** An account lives for years of Stripe events: a fresh run before the history grows large. */
const HISTORY_LIMIT = 1000;

const account = proxyActivities<AccountActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '1 minute',
  // Housekeeping retries for as long as it takes (Postgres or Temporal down for a while).
  retry: { initialInterval: '1 second', maximumInterval: '5 minutes', backoffCoefficient: 2 },
});

const purge = proxyActivities<AccountActivities>({
  // Provider deletions for a large tenant (heartbeating), then one transaction of up to
  // 10 minutes that cannot heartbeat: the heartbeat timeout must outlast it.
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '12 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

/**
 * One per business (`account-<businessId>`): the owner of the account's timers, driven by
 * Stripe. An inactive subscription pauses the business's lead workflows; cancellation
 * opens the export window, after which the tenant is purged (unless a tenant legal hold
 * keeps it); the run then waits, with a small history, until its billing records may go.
 */
export async function accountWorkflow(input: AccountWorkflowInput): Promise<AccountView> {
  const { businessId } = input;
  const state: AccountState = input.state ?? {
    status: 'active',
    subscriptionStatus: 'active',
    automationActive: true,
    cancelledAt: null,
    purgeAt: null,
    legalHold: false,
    purgedAt: null,
    purgeReceiptId: null,
    billingDeleteAt: null,
    run: 1,
  };
  const inbox: Array<{ status: string; at: string }> = [];
  let holdChanged = false;
  let wake = false;

  // Handlers first: a signal that came with the start (signal-with-start) is never lost.
  setHandler(accountStateQuery, () => view());
  setHandler(accountSubscriptionSignal, (s) => {
    inbox.push(s);
    wake = true;
  });
  setHandler(legalHoldSignal, ({ held }) => {
    if (state.status === 'purged') return;
    if (held !== state.legalHold) holdChanged = true;
    state.legalHold = held;
    derive();
    wake = true;
  });

  function view(): AccountView {
    const { status, subscriptionStatus, legalHold, cancelledAt, purgeAt, purgedAt, billingDeleteAt } = state;
    return { businessId, status, subscriptionStatus, legalHold, cancelledAt, purgeAt, purgedAt, billingDeleteAt };
  }

  function apply({ status, at }: { status: string; at: string }) {
    if (state.status === 'purged') return;
    state.subscriptionStatus = status;
    if (isEndedSubscription(status)) {
      // A repeated cancellation keeps the first one's window.
      state.cancelledAt ??= at;
    } else {
      // Resubscribed within the window: the purge is off.
      state.cancelledAt = null;
      state.purgeAt = null;
    }
    derive();
  }

  function derive() {
    if (state.status === 'purged') return;
    if (state.cancelledAt) {
      const due = state.purgeAt !== null && Date.parse(state.purgeAt) <= Date.now();
      state.status = due && state.legalHold ? 'waiting_legal_hold' : 'export_window';
    } else state.status = isActiveSubscription(state.subscriptionStatus) ? 'active' : 'paused';
  }

  // Search attributes change with the status (each upsert is a billed action).
  let published: string | null = null;
  function publish() {
    const next =
      state.status === 'purged' ? state.billingDeleteAt : state.status === 'export_window' ? state.purgeAt : null;
    const key = `${state.status}|${next}`;
    if (key === published) return;
    published = key;
    upsertSearchAttributes([
      { key: ACCOUNT_STATUS, value: state.status },
      { key: NEXT_ACTION_AT, value: next ? new Date(next) : null },
    ]);
  }

  if (!input.state) {
    const stored = await account.loadAccount({ businessId });
    // No such business (deleted by other means): nothing to own.
    if (!stored) return view();
    state.subscriptionStatus = stored.subscriptionStatus;
    // Left `true` (what a lead assumes before it reads the business): an account that is
    // already inactive when this workflow first runs tells its leads once; a repeat is harmless.
    state.cancelledAt = isEndedSubscription(stored.subscriptionStatus) ? (stored.cancelledAt ?? nowIso()) : null;
    state.legalHold ||= stored.legalHold;
    derive();
  }

  for (;;) {
    while (inbox.length > 0) apply(inbox.shift()!);

    if (state.status !== 'purged') {
      // The lead workflows follow the subscription: past_due, unpaid, incomplete, paused
      // and cancelled hold their sends; active and trialing resume them.
      const active = isActiveSubscription(state.subscriptionStatus);
      if (active !== state.automationActive) {
        state.automationActive = active;
        await account.setLeadAutomation({ businessId, active });
        // Paused for billing (not cancelled on purpose): the business must know its leads wait.
        if (!active && !isEndedSubscription(state.subscriptionStatus))
          await raiseAlert({
            businessId,
            step: `paused-${nowIso()}`,
            kind: 'account_paused',
            detail: { subscriptionStatus: state.subscriptionStatus },
          });
        continue;
      }
      if (holdChanged) {
        holdChanged = false;
        await account.setLeadsLegalHold({ businessId, held: state.legalHold });
        continue;
      }
      if (state.cancelledAt && !state.purgeAt) {
        const days = await account.exportWindowDays({ businessId });
        // The signal may have resubscribed meanwhile.
        if (state.cancelledAt) state.purgeAt = new Date(Date.parse(state.cancelledAt) + days * DAY_MS).toISOString();
        derive();
        continue;
      }
    }
    publish();

    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > HISTORY_LIMIT) {
      await condition(allHandlersFinished);
      if (inbox.length === 0 && !holdChanged)
        await continueAsNew<typeof accountWorkflow>({ businessId, state: { ...state, run: state.run + 1 } });
      continue;
    }

    wake = false;
    const woken = () => wake;

    if (state.status === 'purged') {
      if (!state.billingDeleteAt) break;
      const delay = Date.parse(state.billingDeleteAt) - Date.now();
      if (delay > 0) {
        await sleep(delay);
        continue;
      }
      const done = await account.deleteBillingRecords({ businessId, at: nowIso() });
      // A record that arrived after the purge moves the date; otherwise the account is done.
      state.billingDeleteAt = done.notBefore;
      if (!done.notBefore) break;
      continue;
    }

    if (state.status === 'export_window' && state.purgeAt) {
      const delay = Date.parse(state.purgeAt) - Date.now();
      if (delay > 0) {
        await condition(woken, delay);
        derive();
        continue;
      }
      if (state.legalHold) {
        derive();
        continue;
      }
      const result = await purge.purgeTenant({ businessId });
      if (result.outcome === 'held') {
        // Held in the database before the signal arrived: wait for the release like any hold.
        state.legalHold = true;
        derive();
        continue;
      }
      if (result.outcome === 'reactivated') {
        apply({ status: result.subscriptionStatus, at: nowIso() });
        continue;
      }
      state.status = 'purged';
      state.purgedAt = nowIso();
      state.purgeReceiptId = result.receiptId;
      state.billingDeleteAt = result.billingDeleteAt;
      publish();
      // The purge's events stay in the old run; the years of waiting start with a small history.
      await condition(allHandlersFinished);
      await continueAsNew<typeof accountWorkflow>({ businessId, state: { ...state, run: state.run + 1 } });
    }

    // Active, paused, or waiting for a legal hold's release: only a signal moves it on.
    await condition(woken);
  }

  publish();
  return view();
}
