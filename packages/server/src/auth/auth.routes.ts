import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import { errorResponses, noContentResponses } from '../http/common.schemas';
import { metaOf, SESSION_COOKIE } from '../http/request-context';
import { anyMember, publicRoute } from '../http/route-access';
import { acceptInvitationBody, loginBody, sessionResponse } from './auth.schemas';
import type { SessionGrant } from './auth.service';

export function authRoutes(services: Services): FastifyPluginAsyncZod {
  const sendSession = (reply: FastifyReply, grant: SessionGrant) => {
    reply.setCookie(SESSION_COOKIE, grant.sessionToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure: services.config.secureCookies,
      path: '/',
      expires: new Date(grant.expiresAt),
    });
    return { member: grant.member, csrfToken: grant.csrfToken, expiresAt: grant.expiresAt };
  };

  return async (app) => {
    app.post(
      '/api/v1/auth/login',
      {
        config: { access: publicRoute('signs a member in with email and password') },
        schema: {
          tags: ['sessions'],
          body: loginBody,
          response: { 200: sessionResponse, ...errorResponses },
        },
      },
      async (request, reply) => sendSession(reply, await services.auth.login(request.body, metaOf(request))),
    );

    app.post(
      '/api/v1/auth/logout',
      {
        config: { access: anyMember('ends the caller’s own session') },
        schema: { tags: ['sessions'], response: noContentResponses },
      },
      async (request, reply) => {
        await services.auth.logout(request.principal, request.sessionToken, metaOf(request));
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/v1/auth/accept-invitation',
      {
        config: { access: publicRoute('the invitation token is the credential') },
        schema: {
          tags: ['sessions'],
          body: acceptInvitationBody,
          response: { 200: sessionResponse, ...errorResponses },
        },
      },
      async (request, reply) =>
        sendSession(reply, await services.auth.acceptInvitation(request.body, metaOf(request))),
    );
  };
}
