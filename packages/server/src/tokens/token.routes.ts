import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import { errorResponses, listOf, noContentResponses } from '../http/common.schemas';
import { metaOf } from '../http/request-context';
import { anyMember } from '../http/route-access';
import { createTokenBody, issuedTokenSchema, tokenParams, tokenSchema } from './token.schemas';

export function tokenRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/tokens',
      {
        config: { access: anyMember('a member creates tokens of their own') },
        schema: {
          tags: ['tokens'],
          body: createTokenBody,
          response: { 201: issuedTokenSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await services.tokens.create(request.principal, request.body, metaOf(request))),
    );

    app.get(
      '/api/v1/tokens',
      {
        config: { access: anyMember('the caller’s own tokens') },
        schema: { tags: ['tokens'], response: { 200: listOf(tokenSchema), ...errorResponses } },
      },
      async (request) => ({ items: await services.tokens.list(request.principal), nextCursor: null }),
    );

    app.delete(
      '/api/v1/tokens/:id',
      {
        config: { access: { actions: ['ManageMembers'], resource: 'org (only for other members’ tokens)' } },
        schema: { tags: ['tokens'], params: tokenParams, response: noContentResponses },
      },
      async (request, reply) => {
        await services.tokens.revoke(request.principal, request.params.id, metaOf(request));
        return reply.status(204).send(null);
      },
    );
  };
}
