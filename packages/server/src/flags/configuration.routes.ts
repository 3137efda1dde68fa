import { type ConfigurationPatch, configurationActions } from '@flagward/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import { atQuery } from '../audit/audit.schemas';
import { errorResponses } from '../http/common.schemas';
import { metaOf } from '../http/request-context';
import { needs } from '../http/route-access';
import { configurationParams, configurationPatchBody, configurationSchema } from './configuration.schemas';

export function configurationRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/projects/:project/flags/:flag/environments/:env',
      {
        config: { access: needs('project/{project}:env/{env}', 'CanAccessEnv') },
        schema: {
          tags: ['flags'],
          params: configurationParams,
          querystring: atQuery,
          response: { 200: configurationSchema, ...errorResponses },
        },
      },
      async (request) =>
        request.query.at === undefined
          ? services.configurations.get(request.principal, request.params)
          : services.history.configurationAt(request.principal, request.params, request.query.at),
    );

    app.patch(
      '/api/v1/projects/:project/flags/:flag/environments/:env',
      {
        config: { access: needs('project/{project}:env/{env}:flag/{flag}', ...configurationActions) },
        schema: {
          tags: ['flags'],
          description:
            'Changes any subset of the configuration. The actions needed are derived from what changes; a 403 names every one the caller lacks.',
          params: configurationParams,
          body: configurationPatchBody,
          response: { 200: configurationSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.configurations.patch(
          request.principal,
          request.params,
          // Serves arrive as one object shape; validateFlagConfiguration enforces {variation} xor {rollout}.
          request.body as ConfigurationPatch,
          metaOf(request),
        ),
    );
  };
}
