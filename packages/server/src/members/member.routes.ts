import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import {
  emailParams,
  errorResponses,
  listOf,
  memberSchema,
  noContentResponses,
} from '../http/common.schemas';
import { metaOf } from '../http/request-context';
import { anyMember, needs } from '../http/route-access';
import { inviteBody, inviteResponse, memberListQuery, memberPatchBody } from './member.schemas';

export function memberRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/members',
      {
        config: { access: needs('org', 'ManageMembers') },
        schema: { tags: ['members'], body: inviteBody, response: { 201: inviteResponse, ...errorResponses } },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await services.members.invite(request.principal, request.body, metaOf(request))),
    );

    app.get(
      '/api/v1/members',
      {
        config: { access: anyMember('every member sees the organization’s directory') },
        schema: {
          tags: ['members'],
          querystring: memberListQuery,
          response: { 200: listOf(memberSchema), ...errorResponses },
        },
      },
      async (request) => services.members.list(request.principal, request.query),
    );

    app.get(
      '/api/v1/members/:email',
      {
        config: { access: anyMember('every member sees the organization’s directory') },
        schema: {
          tags: ['members'],
          params: emailParams,
          response: { 200: memberSchema, ...errorResponses },
        },
      },
      async (request) => services.members.get(request.principal, request.params.email),
    );

    app.patch(
      '/api/v1/members/:email',
      {
        config: { access: needs('org', 'ManageMembers') },
        schema: {
          tags: ['members'],
          params: emailParams,
          body: memberPatchBody,
          response: { 200: memberSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.members.update(request.principal, request.params.email, request.body, metaOf(request)),
    );

    app.delete(
      '/api/v1/members/:email',
      {
        config: { access: needs('org', 'ManageMembers') },
        schema: { tags: ['members'], params: emailParams, response: noContentResponses },
      },
      async (request, reply) => {
        await services.members.remove(request.principal, request.params.email, metaOf(request));
        return reply.status(204).send(null);
      },
    );
  };
}
