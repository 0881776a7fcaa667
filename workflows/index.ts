export { leadWorkflow } from './lead/lead-workflow';
export { retentionSweepWorkflow } from './retention/retention-sweep-workflow';
