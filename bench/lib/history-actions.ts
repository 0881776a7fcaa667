import type { temporal } from '@temporalio/proto';

type Event = temporal.api.history.v1.IHistoryEvent;
const T = (name: string) => name;
const NOT_BILLED = 'versioning (not billed)';
const LOCAL_IN_TASK = 'more local activities in a billed task (not billed)';

/**
 * Billable Temporal actions in one run's history, following Temporal Cloud's definition
 * (docs.temporal.io/cloud/actions): a workflow start (continue-as-new included), each
 * activity scheduled (and each retry), timer, signal, update, search-attribute upsert and
 * side-effect marker, and all local activities of one workflow task as one action. A
 * `patched()` call is versioning: its marker is not on that list and its upsert of
 * TemporalChangeVersion is exempt by name, so both are counted apart as "versioning (not
 * billed)". Queries are not in the history; the benchmark makes none.
 */
export function countActions(
  events: Event[],
  opts: { firstRun: boolean },
): { actions: number; byKind: Record<string, number> } {
  const byKind: Record<string, number> = {};
  const add = (kind: string, n = 1) => {
    byKind[kind] = (byKind[kind] ?? 0) + n;
  };
  let task = 0;
  const billedTasks = new Set<number>();
  for (const e of events) {
    const type = String(e.eventType);
    if (e.workflowExecutionStartedEventAttributes && opts.firstRun) add(T('workflow started'));
    if (e.activityTaskScheduledEventAttributes) add(T('activity'));
    if (e.activityTaskStartedEventAttributes && (e.activityTaskStartedEventAttributes.attempt ?? 1) > 1)
      add(T('activity retry'), (e.activityTaskStartedEventAttributes.attempt ?? 1) - 1);
    if (e.timerStartedEventAttributes) add(T('timer'));
    if (e.workflowExecutionSignaledEventAttributes) add(T('signal'));
    const upserted = Object.keys(
      e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
    );
    if (e.upsertWorkflowSearchAttributesEventAttributes)
      // patched() upserts TemporalChangeVersion alone; Cloud exempts that attribute from action counting.
      add(upserted.every((k) => k === 'TemporalChangeVersion') ? T(NOT_BILLED) : T('search attributes'));
    if (e.workflowTaskCompletedEventAttributes) task = Number(e.eventId);
    const marker = e.markerRecordedEventAttributes?.markerName;
    if (marker === 'core_patch') add(T(NOT_BILLED));
    else if (marker === 'core_local_activity') {
      // Cloud bills all local activities of one workflow task as one action.
      if (!billedTasks.has(task)) add(T('local activities (one per workflow task)'));
      else add(T(LOCAL_IN_TASK));
      billedTasks.add(task);
    } else if (marker) add(T('marker'));
    if (e.workflowExecutionUpdateAcceptedEventAttributes) add(T('update'));
    if (e.workflowExecutionContinuedAsNewEventAttributes) add(T('continue-as-new'));
    void type;
  }
  const actions = Object.entries(byKind).reduce(
    (a, [kind, n]) => (kind === NOT_BILLED || kind === LOCAL_IN_TASK ? a : a + n),
    0,
  );
  return { actions, byKind };
}

/** One line per billed event (or patch marker) of a run, for finding where actions go (`BENCH_ACTIONS_TRACE=1`). */
export function traceActions(events: Event[]): string[] {
  const lines: string[] = [];
  for (const e of events) {
    const at = `${e.eventId}`.padStart(4);
    const a = e.activityTaskScheduledEventAttributes;
    if (a) lines.push(`${at} activity ${a.activityType?.name}`);
    if (e.timerStartedEventAttributes)
      lines.push(`${at} timer ${Number(e.timerStartedEventAttributes.startToFireTimeout?.seconds ?? 0)}s`);
    if (e.workflowExecutionSignaledEventAttributes)
      lines.push(`${at} signal ${e.workflowExecutionSignaledEventAttributes.signalName}`);
    const u = e.upsertWorkflowSearchAttributesEventAttributes;
    if (u) lines.push(`${at} upsert ${Object.keys(u.searchAttributes?.indexedFields ?? {}).join(',')}`);
    const m = e.markerRecordedEventAttributes;
    if (m) lines.push(`${at} marker ${m.markerName}`);
    const up = e.workflowExecutionUpdateAcceptedEventAttributes;
    if (up) lines.push(`${at} update ${up.acceptedRequest?.input?.name}`);
  }
  return lines;
}
