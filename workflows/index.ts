export { alertWorkflow } from './alerts/alert-workflow';
export { accountWorkflow } from './account/account-workflow';
export { leadWorkflow } from './lead/lead-workflow';
export { privacyRequestWorkflow } from './privacy/privacy-request-workflow';
export { retentionSweepWorkflow } from './retention/retention-sweep-workflow';
export { webhookDeliveryWorkflow } from './webhooks/webhook-delivery-workflow';
