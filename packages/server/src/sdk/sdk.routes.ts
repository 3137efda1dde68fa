import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../app/services';
import { errorResponses } from '../http/common.schemas';
import { problemOf, toFlagwardError } from '../http/problem';
import { publicRoute } from '../http/route-access';
import type { EnvironmentRuleset } from './ruleset.cache';
import { evaluateBody, evaluateResponse, rulesetSchema, sdkHeaders, streamHeaders } from './sdk.schemas';
import type { SdkCaller } from './sdk.service';

declare module 'fastify' {
  interface FastifyRequest {
    sdkCaller: SdkCaller | undefined;
  }
}

const ACCESS = publicRoute('authenticated by the environment server key');

/** The SDK API (API.md "SDK"): rulesets, server-side evaluation and change streams. */
export function sdkRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    services.sdk.setLogger(app.log);
    app.decorateRequest('sdkCaller', undefined);
    app.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/sdk/')) return;
      request.sdkCaller = await services.sdk.authenticate(request.headers.authorization);
    });
    // Open streams never end by themselves: end them before the server waits for its connections.
    app.addHook('preClose', async () => services.sdk.close());

    const callerOf = (request: FastifyRequest): SdkCaller => request.sdkCaller!;
    const environmentOf = (request: FastifyRequest): EnvironmentRuleset => callerOf(request).environment;

    app.get(
      '/sdk/v1/ruleset',
      {
        config: { access: ACCESS },
        schema: {
          tags: ['sdk'],
          headers: sdkHeaders,
          response: { 200: rulesetSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        // Serialized once per ruleset version and sent as is (a JSON string is not re-serialized).
        const document: unknown = services.sdk.ruleset(environmentOf(request));
        return reply.type('application/json; charset=utf-8').send(document as z.infer<typeof rulesetSchema>);
      },
    );

    app.post(
      '/sdk/v1/evaluate',
      {
        config: { access: ACCESS },
        schema: {
          tags: ['sdk'],
          headers: sdkHeaders,
          body: evaluateBody,
          response: { 200: evaluateResponse, ...errorResponses },
        },
      },
      async (request) => ({
        results: services.sdk.evaluate(environmentOf(request), request.body.context, request.body.flags),
      }),
    );

    app.get(
      '/sdk/v1/stream',
      {
        config: { access: ACCESS },
        schema: {
          tags: ['sdk'],
          headers: streamHeaders,
          description:
            'Server-Sent Events: `put` (the whole ruleset) on connect, `patch` ({key, flag | deleted, version}) on every change, comment heartbeats. Event ids are ruleset versions.',
          response: {
            200: z.string().describe('text/event-stream'),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        reply.hijack();
        try {
          await services.sdk.openStream(caller, request.raw, reply.raw, String(request.id));
        } catch (error) {
          // The response is ours now (hijacked): answer the problem document by hand.
          const problem = problemOf(toFlagwardError(error), request.url.split('?')[0]);
          if (problem.code === 'internal') request.log.error({ err: error }, 'could not open an SDK stream');
          if (!reply.raw.headersSent) {
            reply.raw.writeHead(problem.status, {
              'content-type': 'application/problem+json',
              'x-request-id': String(request.id),
            });
          }
          reply.raw.end(JSON.stringify(problem));
        }
      },
    );
  };
}
