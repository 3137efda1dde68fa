import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import { environmentParams, errorResponses, listOf, noContentResponses } from '../http/common.schemas';
import { metaOf } from '../http/request-context';
import { needs } from '../http/route-access';
import {
  flagPermissionBody,
  flagPermissionParams,
  flagPermissionQuery,
  flagPermissionSchema,
  protectionSchema,
} from './iam.schemas';

export function protectionRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/projects/:project/environments/:env/protection',
      {
        config: { access: needs('project/{project}:env/{env}', 'CanAccessEnv') },
        schema: {
          tags: ['protection'],
          params: environmentParams,
          response: { 200: protectionSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.protections.get(request.principal, request.params.project, request.params.env),
    );
    app.put(
      '/api/v1/projects/:project/environments/:env/protection',
      {
        config: { access: needs('project/{project}:env/{env}', 'ManageProtectedOperations') },
        schema: {
          tags: ['protection'],
          params: environmentParams,
          body: protectionSchema,
          response: { 200: protectionSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.protections.put(
          request.principal,
          request.params.project,
          request.params.env,
          request.body,
          metaOf(request),
        ),
    );

    app.get(
      '/api/v1/projects/:project/flags/:flag/permissions',
      {
        config: { access: needs('project/{project}', 'CanAccessProject') },
        schema: {
          tags: ['flags'],
          params: flagPermissionParams,
          response: { 200: listOf(flagPermissionSchema), ...errorResponses },
        },
      },
      async (request) => ({
        items: await services.flagPermissions.list(
          request.principal,
          request.params.project,
          request.params.flag,
        ),
        nextCursor: null,
      }),
    );
    app.put(
      '/api/v1/projects/:project/flags/:flag/permissions',
      {
        config: { access: needs('project/{project}:env/{grant envs}:flag/{flag}', 'ManageFlagPermissions') },
        schema: {
          tags: ['flags'],
          params: flagPermissionParams,
          body: flagPermissionBody,
          response: { 200: flagPermissionSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.flagPermissions.put(
          request.principal,
          request.params.project,
          request.params.flag,
          request.body,
          metaOf(request),
        ),
    );
    app.delete(
      '/api/v1/projects/:project/flags/:flag/permissions',
      {
        config: { access: needs('project/{project}:env/{grant envs}:flag/{flag}', 'ManageFlagPermissions') },
        schema: {
          tags: ['flags'],
          params: flagPermissionParams,
          querystring: flagPermissionQuery,
          response: noContentResponses,
        },
      },
      async (request, reply) => {
        await services.flagPermissions.remove(
          request.principal,
          request.params.project,
          request.params.flag,
          request.query,
          metaOf(request),
        );
        return reply.status(204).send(null);
      },
    );
  };
}
