import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../http/route';
import { widgetCors } from '../http/widget-cors';

export function widgetConfigRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/widget/config',
      tag: 'Widget',
      summary: 'What the widget shows: the business name and its exact consent text',
      security: 'apiKey',
      roles: ['widget'],
      before: [widgetCors(deps.widgetConfig)],
      responses: {
        200: {
          description: 'Widget settings',
          schema: z.object({ businessName: z.string(), consentText: z.string() }).openapi('WidgetConfig'),
        },
      },
      handler: async ({ auth, res }) => {
        const config = await deps.widgetConfig(auth.businessId);
        res.setHeader('Cache-Control', 'private, max-age=60');
        return { status: 200, body: { businessName: config.businessName, consentText: config.consentText } };
      },
    }),
  ];
}
