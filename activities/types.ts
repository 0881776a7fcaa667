import type { createActivities } from './index';

/** What workflows see of activities: types only, never the implementations. */
export type LeadActivities = ReturnType<typeof createActivities>;
