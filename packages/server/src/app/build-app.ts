import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import { FlagwardError } from '@flagward/core';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import { auditRoutes } from '../audit/audit.routes';
import { authRoutes } from '../auth/auth.routes';
import { environmentRoutes } from '../environments/environment.routes';
import { configurationRoutes } from '../flags/configuration.routes';
import { flagRoutes } from '../flags/flag.routes';
import { groupRoutes } from '../groups/group.routes';
import { registerAuthentication } from '../http/authentication';
import { sendProblem } from '../http/problem';
import { publicRoute, type RouteAccess } from '../http/route-access';
import { policyRoutes } from '../iam/policy.routes';
import { protectionRoutes } from '../iam/protection.routes';
import { memberRoutes } from '../members/member.routes';
import { Metrics } from '../operations/metrics';
import { operationsRoutes } from '../operations/operations.routes';
import { organizationRoutes } from '../organization/organization.routes';
import { projectRoutes } from '../projects/project.routes';
import { scheduleRoutes } from '../schedules/schedule.routes';
import { sdkRoutes } from '../sdk/sdk.routes';
import { tokenRoutes } from '../tokens/token.routes';
import { variableRoutes } from '../variables/variable.routes';
import type { Services } from './services';

export interface AppOptions {
  /** Where JSON logs go (tests capture them); defaults to stdout. */
  logStream?: DestinationStream;
  logLevel?: string;
  /** Built console to serve; defaults to packages/web/dist when it exists. */
  webDist?: string | null;
  /** Background jobs (expiry recording, rollout steps); tests drive them by hand when false. */
  backgroundJobs?: boolean;
}

/** A registered route and what it declares it needs (DESIGN §4). */
export interface RouteEntry {
  method: string;
  url: string;
  access: RouteAccess | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

function defaultWebDist(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');
}

/** Builds the HTTP server: one error handler, schemas for every route, the OpenAPI document. */
export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: options.logLevel ?? services.config.logLevel,
      ...(options.logStream ? { stream: options.logStream } : {}),
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-csrf-token"]',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
    bodyLimit: services.config.bodyLimit,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    trustProxy: false,
  }).withTypeProvider<ZodTypeProvider>();

  // The API speaks JSON only; anything else is refused with 415 before it reaches a handler.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .type('application/problem+json')
      .send({
        type: 'https://flagward.dev/problems/not-found',
        title: 'Not found',
        status: 404,
        detail: `no route ${request.method} ${request.url.split('?')[0]}`,
        code: 'not-found',
      }),
  );

  const metrics = new Metrics();
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routeTable.push({ method, url: route.url, access: route.config?.access });
    }
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Flagward API',
        version: '1.0.0',
        description: 'Feature flags with scoped permissions and a verifiable audit history.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'flagward_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: (input) => {
      const transformed = jsonSchemaTransform(input);
      const access = input.route.config?.access;
      return access
        ? { ...transformed, schema: { ...transformed.schema, 'x-flagward-access': access } }
        : transformed;
    },
  });
  registerAuthentication(app, services.auth);

  await app.register(operationsRoutes(services, metrics));
  await app.register(organizationRoutes(services));
  await app.register(authRoutes(services));
  await app.register(tokenRoutes(services));
  await app.register(memberRoutes(services));
  await app.register(groupRoutes(services));
  await app.register(projectRoutes(services));
  await app.register(environmentRoutes(services));
  await app.register(policyRoutes(services));
  await app.register(protectionRoutes(services));
  await app.register(auditRoutes(services));
  await app.register(sdkRoutes(services));
  await app.register(flagRoutes(services));
  await app.register(configurationRoutes(services));
  await app.register(scheduleRoutes(services));
  await app.register(variableRoutes(services));

  app.get(
    '/api/v1/openapi.json',
    { config: { access: publicRoute('the API description') }, schema: { hide: true } },
    async () => app.swagger(),
  );

  const webDist = options.webDist === undefined ? defaultWebDist() : options.webDist;
  if (webDist && fs.existsSync(path.join(webDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDist, wildcard: false });
    app.get(
      '/*',
      { config: { access: publicRoute('the web console (static files)') }, schema: { hide: true } },
      (request, reply) => {
        if (request.url.startsWith('/api/') || request.url.startsWith('/sdk/')) {
          return sendProblem(
            new FlagwardError('not-found', `no route ${request.method} ${request.url.split('?')[0]}`),
            request,
            reply,
          );
        }
        return reply.sendFile('index.html');
      },
    );
  }
  return app;
}
