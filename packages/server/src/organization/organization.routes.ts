import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import { requireMember } from '../governance/access';
import { errorResponses, memberSchema } from '../http/common.schemas';
import { metaOf } from '../http/request-context';
import { anyMember, needs, publicRoute } from '../http/route-access';
import { tokenPolicyView } from '../tokens/token.service';
import {
  meResponse,
  setupBody,
  setupResponse,
  setupStatusResponse,
  transferOwnershipBody,
} from './organization.schemas';

export function organizationRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/setup',
      {
        config: { access: publicRoute('first-run setup; refused once an owner exists') },
        schema: { tags: ['setup'], body: setupBody, response: { 201: setupResponse, ...errorResponses } },
      },
      async (request, reply) =>
        reply.status(201).send(await services.setup.setup(request.body, metaOf(request))),
    );

    app.get(
      '/api/v1/setup',
      {
        config: { access: publicRoute('tells the console whether first-run setup is still to be done') },
        schema: { tags: ['setup'], response: { 200: setupStatusResponse } },
      },
      async () => ({ required: await services.setup.isRequired() }),
    );

    app.get(
      '/api/v1/me',
      {
        config: { access: anyMember('the caller itself') },
        schema: { tags: ['sessions'], response: { 200: meResponse, ...errorResponses } },
      },
      async (request) => {
        const me = requireMember(request.principal);
        return {
          member: { id: me.memberId, email: me.email, name: me.name },
          organization: { key: me.org.key, name: me.org.name },
          orgRole: me.orgRole,
          ...(me.token
            ? { token: { id: me.token.id, name: me.token.name, policy: tokenPolicyView(me.token.limit) } }
            : {}),
        };
      },
    );

    app.post(
      '/api/v1/organization/transfer-ownership',
      {
        config: { access: needs('org', 'TransferOwnership') },
        schema: {
          tags: ['members'],
          body: transferOwnershipBody,
          response: { 200: memberSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.members.transferOwnership(request.principal, request.body.email, metaOf(request)),
    );
  };
}
