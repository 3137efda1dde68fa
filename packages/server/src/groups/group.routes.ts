import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import { errorResponses, listOf, noContentResponses } from '../http/common.schemas';
import { metaOf } from '../http/request-context';
import { anyMember, needs } from '../http/route-access';
import {
  createGroupBody,
  groupMemberParams,
  groupParams,
  groupPatchBody,
  groupSchema,
} from './group.schemas';

export function groupRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/groups',
      {
        config: { access: needs('org', 'ManageGroups') },
        schema: {
          tags: ['groups'],
          body: createGroupBody,
          response: { 201: groupSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await services.groups.create(request.principal, request.body, metaOf(request))),
    );

    app.get(
      '/api/v1/groups',
      {
        config: { access: anyMember('every member sees the organization’s teams') },
        schema: { tags: ['groups'], response: { 200: listOf(groupSchema), ...errorResponses } },
      },
      async (request) => ({ items: await services.groups.list(request.principal), nextCursor: null }),
    );

    app.get(
      '/api/v1/groups/:key',
      {
        config: { access: anyMember('every member sees the organization’s teams') },
        schema: { tags: ['groups'], params: groupParams, response: { 200: groupSchema, ...errorResponses } },
      },
      async (request) => services.groups.get(request.principal, request.params.key),
    );

    app.patch(
      '/api/v1/groups/:key',
      {
        config: { access: needs('org', 'ManageGroups') },
        schema: {
          tags: ['groups'],
          params: groupParams,
          body: groupPatchBody,
          response: { 200: groupSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.groups.rename(request.principal, request.params.key, request.body.name, metaOf(request)),
    );

    app.delete(
      '/api/v1/groups/:key',
      {
        config: { access: needs('org', 'ManageGroups') },
        schema: { tags: ['groups'], params: groupParams, response: noContentResponses },
      },
      async (request, reply) => {
        await services.groups.delete(request.principal, request.params.key, metaOf(request));
        return reply.status(204).send(null);
      },
    );

    app.put(
      '/api/v1/groups/:key/members/:email',
      {
        config: { access: needs('org', 'ManageGroups') },
        schema: {
          tags: ['groups'],
          params: groupMemberParams,
          response: { 200: groupSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.groups.setMembership(
          request.principal,
          request.params.key,
          request.params.email,
          true,
          metaOf(request),
        ),
    );

    app.delete(
      '/api/v1/groups/:key/members/:email',
      {
        config: { access: needs('org', 'ManageGroups') },
        schema: {
          tags: ['groups'],
          params: groupMemberParams,
          response: { 200: groupSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.groups.setMembership(
          request.principal,
          request.params.key,
          request.params.email,
          false,
          metaOf(request),
        ),
    );
  };
}
