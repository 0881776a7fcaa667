import type { temporal } from '@temporalio/proto';

type Event = temporal.api.history.v1.IHistoryEvent;
const T = (name: string) => name;
const NOT_BILLED = 'patch marker (not billed)';

/**
 * Billable Temporal actions in one run's history, following Temporal Cloud's definition
 * (docs.temporal.io/cloud/actions): a workflow start (continue-as-new included), each
 * activity scheduled (and each retry), timer, signal, update, search-attribute upsert, and
 * markers that record a local activity or a side effect. A `patched()` marker is versioning,
 * which that list leaves out (its TemporalChangeVersion attribute is exempt too), so it is
 * counted apart as "patch marker (not billed)". Queries are not in the history; the benchmark makes none.
 */
export function countActions(
  events: Event[],
  opts: { firstRun: boolean },
): { actions: number; byKind: Record<string, number> } {
  const byKind: Record<string, number> = {};
  const add = (kind: string, n = 1) => {
    byKind[kind] = (byKind[kind] ?? 0) + n;
  };
  for (const e of events) {
    const type = String(e.eventType);
    if (e.workflowExecutionStartedEventAttributes && opts.firstRun) add(T('workflow started'));
    if (e.activityTaskScheduledEventAttributes) add(T('activity'));
    if (e.activityTaskStartedEventAttributes && (e.activityTaskStartedEventAttributes.attempt ?? 1) > 1)
      add(T('activity retry'), (e.activityTaskStartedEventAttributes.attempt ?? 1) - 1);
    if (e.timerStartedEventAttributes) add(T('timer'));
    if (e.workflowExecutionSignaledEventAttributes) add(T('signal'));
    if (e.upsertWorkflowSearchAttributesEventAttributes) add(T('search attributes'));
    if (e.markerRecordedEventAttributes)
      add(e.markerRecordedEventAttributes.markerName === 'core_patch' ? T(NOT_BILLED) : T('marker'));
    if (e.workflowExecutionUpdateAcceptedEventAttributes) add(T('update'));
    if (e.workflowExecutionContinuedAsNewEventAttributes) add(T('continue-as-new'));
    void type;
  }
  const actions = Object.entries(byKind).reduce((a, [kind, n]) => (kind === NOT_BILLED ? a : a + n), 0);
  return { actions, byKind };
}
