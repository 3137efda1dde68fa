import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import { configurationParams } from '../flags/configuration.schemas';
import { errorResponses, noContentResponses } from '../http/common.schemas';
import { metaOf } from '../http/request-context';
import { needs } from '../http/route-access';
import { scheduleBody, scheduleSchema } from './schedule.schemas';

const SCHEDULE_URL = '/api/v1/projects/:project/flags/:flag/environments/:env/rollout-schedule';
const FLAG = 'project/{project}:env/{env}:flag/{flag}';

export function scheduleRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      SCHEDULE_URL,
      {
        config: { access: needs('project/{project}:env/{env}', 'CanAccessEnv') },
        schema: {
          tags: ['flags'],
          params: configurationParams,
          response: { 200: scheduleSchema, ...errorResponses },
        },
      },
      async (request) => services.schedules.get(request.principal, request.params),
    );

    app.put(
      SCHEDULE_URL,
      {
        config: { access: needs(FLAG, 'ScheduleFlagRollout') },
        schema: {
          tags: ['flags'],
          description:
            'Each step sets the fallthrough to its rollout when due, applied by the server on behalf of the caller and authorized again at that moment.',
          params: configurationParams,
          body: scheduleBody,
          response: { 200: scheduleSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.schedules.put(request.principal, request.params, request.body, metaOf(request)),
    );

    app.delete(
      SCHEDULE_URL,
      {
        config: { access: needs(FLAG, 'ScheduleFlagRollout') },
        schema: { tags: ['flags'], params: configurationParams, response: noContentResponses },
      },
      async (request, reply) => {
        await services.schedules.delete(request.principal, request.params, metaOf(request));
        return reply.status(204).send(null);
      },
    );
  };
}
