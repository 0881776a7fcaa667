export { leadWorkflow } from './lead/lead-workflow';
