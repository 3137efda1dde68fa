import type { FastifyRequest } from 'fastify';
import type { MemberPrincipal, RequestMeta } from '../governance/principal';

declare module 'fastify' {
  interface FastifyRequest {
    principal: MemberPrincipal | undefined;
    sessionToken: string | undefined;
  }
}

export const SESSION_COOKIE = 'flagward_session';
export const CSRF_HEADER = 'x-csrf-token';

/** The audit facts of a request. */
export function metaOf(request: FastifyRequest): RequestMeta {
  const userAgent = request.headers['user-agent'];
  return {
    requestId: String(request.id),
    ip: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : undefined,
  };
}
