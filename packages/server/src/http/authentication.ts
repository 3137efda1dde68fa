import { FlagwardError } from '@flagward/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth.service';
import { hashSecret, sameDigest } from '../security/secrets';
import { CSRF_HEADER, SESSION_COOKIE } from './request-context';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new FlagwardError('unauthenticated', 'the Authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * Resolves the caller of every /api request and refuses what needs a caller without one. Cookie
 * sessions must send the CSRF token with every write.
 */
export function registerAuthentication(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('sessionToken', undefined);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!request.url.startsWith('/api/') || access === undefined) return;
    const cookie = request.cookies?.[SESSION_COOKIE];
    const bearer = bearerOf(request);
    const authentication = await auth.authenticate(bearer, bearer === undefined ? cookie : undefined);
    if (authentication) {
      if (authentication.csrfHash !== undefined && !SAFE_METHODS.has(request.method)) {
        const csrf = request.headers[CSRF_HEADER];
        if (typeof csrf !== 'string' || !sameDigest(hashSecret(csrf), authentication.csrfHash)) {
          throw new FlagwardError(
            'forbidden',
            `cookie-authenticated writes need the ${CSRF_HEADER} header returned at sign-in`,
          );
        }
      }
      request.principal = authentication.principal;
      request.sessionToken = bearer === undefined ? cookie : undefined;
    }
    if (!('public' in access) && !request.principal) {
      throw new FlagwardError('unauthenticated', 'sign in or send an API token');
    }
  });
}
