import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import { errorResponses, listOf, noContentResponses, projectParams } from '../http/common.schemas';
import { metaOf } from '../http/request-context';
import { needs } from '../http/route-access';
import { createFlagBody, flagListQuery, flagParams, flagPatchBody, flagSchema } from './flag.schemas';

const EVERY_ENV_FLAG = 'project/{project}:env/*:flag/{flag}';

export function flagRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/projects/:project/flags',
      {
        config: { access: needs('project/{project}:env/*:flag/*', 'CreateFlag') },
        schema: {
          tags: ['flags'],
          params: projectParams,
          body: createFlagBody,
          response: { 201: flagSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await services.flags.create(
              request.principal,
              request.params.project,
              request.body,
              metaOf(request),
            ),
          ),
    );

    app.get(
      '/api/v1/projects/:project/flags',
      {
        config: { access: needs('project/{project}', 'CanAccessProject') },
        schema: {
          tags: ['flags'],
          params: projectParams,
          querystring: flagListQuery,
          response: { 200: listOf(flagSchema), ...errorResponses },
        },
      },
      async (request) => services.flags.list(request.principal, request.params.project, request.query),
    );

    app.get(
      '/api/v1/projects/:project/flags/:flag',
      {
        config: { access: needs('project/{project}', 'CanAccessProject') },
        schema: { tags: ['flags'], params: flagParams, response: { 200: flagSchema, ...errorResponses } },
      },
      async (request) => services.flags.get(request.principal, request.params.project, request.params.flag),
    );

    app.patch(
      '/api/v1/projects/:project/flags/:flag',
      {
        config: {
          access: needs(EVERY_ENV_FLAG, 'UpdateFlagDetails', 'UpdateFlagTags', 'UpdateFlagVariations'),
        },
        schema: {
          tags: ['flags'],
          params: flagParams,
          body: flagPatchBody,
          response: { 200: flagSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.flags.update(
          request.principal,
          request.params.project,
          request.params.flag,
          request.body,
          metaOf(request),
        ),
    );

    app.post(
      '/api/v1/projects/:project/flags/:flag/archive',
      {
        config: { access: needs(EVERY_ENV_FLAG, 'ArchiveFlag') },
        schema: { tags: ['flags'], params: flagParams, response: { 200: flagSchema, ...errorResponses } },
      },
      async (request) =>
        services.flags.archive(
          request.principal,
          request.params.project,
          request.params.flag,
          metaOf(request),
        ),
    );

    app.post(
      '/api/v1/projects/:project/flags/:flag/restore',
      {
        config: { access: needs(EVERY_ENV_FLAG, 'RestoreFlag') },
        schema: { tags: ['flags'], params: flagParams, response: { 200: flagSchema, ...errorResponses } },
      },
      async (request) =>
        services.flags.restore(
          request.principal,
          request.params.project,
          request.params.flag,
          metaOf(request),
        ),
    );

    app.delete(
      '/api/v1/projects/:project/flags/:flag',
      {
        config: { access: needs(EVERY_ENV_FLAG, 'DeleteFlag') },
        schema: { tags: ['flags'], params: flagParams, response: noContentResponses },
      },
      async (request, reply) => {
        await services.flags.delete(
          request.principal,
          request.params.project,
          request.params.flag,
          metaOf(request),
        );
        return reply.status(204).send(null);
      },
    );
  };
}
