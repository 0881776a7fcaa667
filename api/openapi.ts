import { OpenApiGeneratorV31, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';

export function openApiDocument(registry: OpenAPIRegistry, serverUrl?: string) {
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: lf_live_… (owner, operator, compliance) or lf_pub_… (widget, capture only)',
  });
  registry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'leadflow_session',
    description:
      'A person signed in through POST /v1/auth/sign-in. Changes (POST, PUT, PATCH, DELETE) also need the X-CSRF-Token header from the sign-in or session answer.',
  });
  registry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The platform ADMIN_TOKEN',
  });
  registry.registerComponent('securitySchemes', 'twilioSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Twilio-Signature',
  });
  registry.registerComponent('securitySchemes', 'stripeSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'Stripe-Signature',
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'leadflow API',
      version: '1.0.0',
      description:
        'Capture leads, read their conversations and bookings, and run the privacy engine. Errors are `{ "error": { "code", "message", "details" } }`; 4xx messages name the field and the reason.',
    },
    servers: serverUrl ? [{ url: serverUrl }] : [],
  });
}
