import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import {
  environmentParams,
  errorResponses,
  listOf,
  noContentResponses,
  projectParams,
} from '../http/common.schemas';
import { metaOf } from '../http/request-context';
import { needs } from '../http/route-access';
import {
  environmentBody,
  environmentPatchBody,
  environmentSchema,
  sdkKeysSchema,
} from '../projects/project.schemas';

const ENV = 'project/{project}:env/{env}';

export function environmentRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/projects/:project/environments',
      {
        config: { access: needs('project/{project}', 'CreateEnv') },
        schema: {
          tags: ['environments'],
          params: projectParams,
          body: environmentBody,
          response: { 201: environmentSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await services.environments.create(
              request.principal,
              request.params.project,
              request.body,
              metaOf(request),
            ),
          ),
    );

    app.get(
      '/api/v1/projects/:project/environments',
      {
        config: { access: needs('project/{project}', 'CanAccessProject') },
        schema: {
          tags: ['environments'],
          params: projectParams,
          response: { 200: listOf(environmentSchema), ...errorResponses },
        },
      },
      async (request) => ({
        items: await services.environments.list(request.principal, request.params.project),
        nextCursor: null,
      }),
    );

    app.get(
      '/api/v1/projects/:project/environments/:env',
      {
        config: { access: needs(ENV, 'CanAccessEnv') },
        schema: {
          tags: ['environments'],
          params: environmentParams,
          response: { 200: environmentSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.environments.get(request.principal, request.params.project, request.params.env),
    );

    app.patch(
      '/api/v1/projects/:project/environments/:env',
      {
        config: { access: needs(ENV, 'UpdateEnvSettings') },
        schema: {
          tags: ['environments'],
          params: environmentParams,
          body: environmentPatchBody,
          response: { 200: environmentSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.environments.update(
          request.principal,
          request.params.project,
          request.params.env,
          request.body,
          metaOf(request),
        ),
    );

    app.delete(
      '/api/v1/projects/:project/environments/:env',
      {
        config: { access: needs(ENV, 'DeleteEnv') },
        schema: { tags: ['environments'], params: environmentParams, response: noContentResponses },
      },
      async (request, reply) => {
        await services.environments.delete(
          request.principal,
          request.params.project,
          request.params.env,
          metaOf(request),
        );
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/v1/projects/:project/environments/:env/sdk-keys',
      {
        config: { access: needs(ENV, 'ReadEnvSecret') },
        schema: {
          tags: ['environments'],
          params: environmentParams,
          response: { 200: sdkKeysSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.environments.sdkKeys(request.principal, request.params.project, request.params.env),
    );

    app.post(
      '/api/v1/projects/:project/environments/:env/sdk-keys/rotate',
      {
        config: { access: needs(ENV, 'RotateEnvSecret') },
        schema: {
          tags: ['environments'],
          params: environmentParams,
          response: { 200: sdkKeysSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.environments.rotateSdkKeys(
          request.principal,
          request.params.project,
          request.params.env,
          metaOf(request),
        ),
    );
  };
}
