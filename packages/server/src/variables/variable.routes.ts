import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import { environmentParams, errorResponses, listOf, noContentResponses } from '../http/common.schemas';
import { metaOf } from '../http/request-context';
import { needs } from '../http/route-access';
import { variableBody, variableParams, variableSchema } from './variable.schemas';

const VARIABLE = 'project/{project}:env/{env}:var/{name}';

export function variableRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/projects/:project/environments/:env/variables',
      {
        config: { access: needs('project/{project}:env/{env}', 'CanAccessEnv') },
        schema: {
          tags: ['variables'],
          description: 'Secret values are always masked.',
          params: environmentParams,
          response: { 200: listOf(variableSchema), ...errorResponses },
        },
      },
      async (request) => ({
        items: await services.variables.list(request.principal, request.params.project, request.params.env),
        nextCursor: null,
      }),
    );

    app.put(
      '/api/v1/projects/:project/environments/:env/variables/:name',
      {
        config: { access: needs(VARIABLE, 'WriteVariable') },
        schema: {
          tags: ['variables'],
          params: variableParams,
          body: variableBody,
          response: { 200: variableSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.variables.put(
          request.principal,
          request.params.project,
          request.params.env,
          request.params.name,
          request.body,
          metaOf(request),
        ),
    );

    app.delete(
      '/api/v1/projects/:project/environments/:env/variables/:name',
      {
        config: { access: needs(VARIABLE, 'DeleteVariable') },
        schema: { tags: ['variables'], params: variableParams, response: noContentResponses },
      },
      async (request, reply) => {
        await services.variables.delete(
          request.principal,
          request.params.project,
          request.params.env,
          request.params.name,
          metaOf(request),
        );
        return reply.status(204).send(null);
      },
    );
  };
}
