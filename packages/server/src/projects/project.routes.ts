import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import { errorResponses, listOf, noContentResponses, projectParams } from '../http/common.schemas';
import { metaOf } from '../http/request-context';
import { anyMember, needs } from '../http/route-access';
import { createProjectBody, projectPatchBody, projectSchema } from './project.schemas';

export function projectRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/projects',
      {
        config: { access: needs('org', 'CreateProject') },
        schema: {
          tags: ['projects'],
          body: createProjectBody,
          response: { 201: projectSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await services.projects.create(request.principal, request.body, metaOf(request))),
    );

    app.get(
      '/api/v1/projects',
      {
        config: { access: anyMember('lists only the projects the caller may access (CanAccessProject)') },
        schema: { tags: ['projects'], response: { 200: listOf(projectSchema), ...errorResponses } },
      },
      async (request) => ({ items: await services.projects.list(request.principal), nextCursor: null }),
    );

    app.get(
      '/api/v1/projects/:project',
      {
        config: { access: needs('project/{project}', 'CanAccessProject') },
        schema: {
          tags: ['projects'],
          params: projectParams,
          response: { 200: projectSchema, ...errorResponses },
        },
      },
      async (request) => services.projects.get(request.principal, request.params.project),
    );

    app.patch(
      '/api/v1/projects/:project',
      {
        config: { access: needs('project/{project}', 'UpdateProjectSettings') },
        schema: {
          tags: ['projects'],
          params: projectParams,
          body: projectPatchBody,
          response: { 200: projectSchema, ...errorResponses },
        },
      },
      async (request) =>
        services.projects.update(request.principal, request.params.project, request.body, metaOf(request)),
    );

    app.delete(
      '/api/v1/projects/:project',
      {
        config: { access: needs('project/{project}', 'DeleteProject') },
        schema: { tags: ['projects'], params: projectParams, response: noContentResponses },
      },
      async (request, reply) => {
        await services.projects.delete(request.principal, request.params.project, metaOf(request));
        return reply.status(204).send(null);
      },
    );
  };
}
