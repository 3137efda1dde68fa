/**
 * What a route needs, declared on every route (DESIGN §4). The services make the binding decision from
 * the actual change; this declaration documents the candidate actions, feeds the OpenAPI document and
 * lets a test prove that no route was forgotten.
 */
export type RouteAccess =
  | { public: true; why: string }
  | { authenticated: true; why: string }
  | { actions: string[]; resource: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

export const publicRoute = (why: string): RouteAccess => ({ public: true, why });
export const anyMember = (why: string): RouteAccess => ({ authenticated: true, why });
export const needs = (resource: string, ...actions: string[]): RouteAccess => ({ actions, resource });
