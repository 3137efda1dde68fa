import { FlagwardError } from '@flagward/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Services } from '../app/services';
import { publicRoute } from '../http/route-access';
import type { Metrics } from './metrics';

export function operationsRoutes(services: Services, metrics: Metrics): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      {
        config: { access: publicRoute('liveness probe') },
        schema: { tags: ['operations'], response: { 200: z.object({ status: z.literal('ok') }) } },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        config: { access: publicRoute('readiness probe') },
        schema: {
          tags: ['operations'],
          response: { 200: z.object({ status: z.literal('ready'), database: z.string() }) },
        },
      },
      async () => {
        try {
          await sql`select 1`.execute(services.store.db);
        } catch (error) {
          throw new FlagwardError('unavailable', 'the database is not reachable', { cause: error });
        }
        return { status: 'ready' as const, database: services.store.dialect };
      },
    );

    app.get(
      '/metrics',
      {
        config: { access: publicRoute('Prometheus scrape endpoint') },
        schema: { tags: ['operations'], hide: true },
      },
      async (_request, reply) => {
        reply.type(metrics.registry.contentType);
        return metrics.registry.metrics();
      },
    );
  };
}
