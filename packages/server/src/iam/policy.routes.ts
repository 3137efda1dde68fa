import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import { atQuery } from '../audit/audit.schemas';
import { emailParams, errorResponses, listOf, noContentResponses } from '../http/common.schemas';
import { metaOf } from '../http/request-context';
import { anyMember, needs } from '../http/route-access';
import {
  assignmentBody,
  assignmentParams,
  assignmentQuery,
  assignmentSchema,
  checkBody,
  checkResponse,
  effectivePermissionsSchema,
  policyBody,
  policyParams,
  policyPreviewBody,
  policySchema,
  policyUpdateBody,
  previewResponse,
  whoCanQuery,
  whoCanResponse,
} from './iam.schemas';

export function policyRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/policies',
      {
        config: { access: needs('org', 'ManagePolicies') },
        schema: { tags: ['policies'], body: policyBody, response: { 201: policySchema, ...errorResponses } },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await services.policies.create(request.principal, request.body, metaOf(request))),
    );
    app.get(
      '/api/v1/policies',
      {
        config: { access: anyMember('every member may read the organization’s policies') },
        schema: { tags: ['policies'], response: { 200: listOf(policySchema), ...errorResponses } },
      },
      async (request) => ({ items: await services.policies.list(request.principal), nextCursor: null }),
    );
    app.get(
      '/api/v1/policies/:key',
      {
        config: { access: anyMember('every member may read the organization’s policies') },
        schema: {
          tags: ['policies'],
          params: policyParams,
          querystring: atQuery,
          response: { 200: policySchema, ...errorResponses },
        },
      },
      async (request) =>
        request.query.at === undefined
          ? services.policies.get(request.principal, request.params.key)
          : services.history.policyAt(request.principal, request.params.key, request.query.at),
    );
    app.put(
      '/api/v1/policies/:key',
      {
        config: { access: needs('org', 'ManagePolicies') },
        schema: {
          tags: ['policies'],
          params: policyParams,
          body: policyUpdateBody,
          response: { 200: policySchema, ...errorResponses },
        },
      },
      async (request) =>
        services.policies.update(request.principal, request.params.key, request.body, metaOf(request)),
    );
    app.delete(
      '/api/v1/policies/:key',
      {
        config: { access: needs('org', 'ManagePolicies') },
        schema: { tags: ['policies'], params: policyParams, response: noContentResponses },
      },
      async (request, reply) => {
        await services.policies.delete(request.principal, request.params.key, metaOf(request));
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/v1/policies/:key/preview',
      {
        config: { access: needs('org', 'ManagePolicies') },
        schema: {
          tags: ['policies'],
          params: policyParams,
          body: policyPreviewBody,
          response: { 200: previewResponse, ...errorResponses },
        },
      },
      async (request) => services.previews.policyEdit(request.principal, request.params.key, request.body),
    );

    app.post(
      '/api/v1/assignments',
      {
        config: {
          access: {
            actions: ['ManagePolicies', 'ManageProjectAccess'],
            resource: 'org, or project/{params.project} for built-in project and flag roles',
          },
        },
        schema: {
          tags: ['policies'],
          body: assignmentBody,
          response: { 201: assignmentSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await services.assignments.create(request.principal, request.body, metaOf(request))),
    );
    app.post(
      '/api/v1/assignments/preview',
      {
        config: { access: anyMember('shows who would gain what; changes nothing') },
        schema: {
          tags: ['policies'],
          body: assignmentBody,
          response: { 200: previewResponse, ...errorResponses },
        },
      },
      async (request) => services.previews.assignment(request.principal, request.body),
    );
    app.get(
      '/api/v1/assignments',
      {
        config: { access: anyMember('every member may read who holds which policy') },
        schema: {
          tags: ['policies'],
          querystring: assignmentQuery.extend(atQuery.shape),
          response: { 200: listOf(assignmentSchema), ...errorResponses },
        },
      },
      async (request) => {
        const { at, cursor, limit, ...filter } = request.query;
        const page = { cursor, limit };
        return at === undefined
          ? services.assignments.list(request.principal, filter, page)
          : services.history.assignmentsAt(request.principal, filter, at, page);
      },
    );
    app.delete(
      '/api/v1/assignments/:id',
      {
        config: {
          access: {
            actions: ['ManagePolicies', 'ManageProjectAccess'],
            resource: 'org, or the project of a built-in role',
          },
        },
        schema: { tags: ['policies'], params: assignmentParams, response: noContentResponses },
      },
      async (request, reply) => {
        await services.assignments.revoke(request.principal, request.params.id, metaOf(request));
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/v1/authz/check',
      {
        config: {
          access: anyMember(
            'anyone may check themselves; checking another member needs ManagePolicies or ManageProjectAccess',
          ),
        },
        schema: { tags: ['authz'], body: checkBody, response: { 200: checkResponse, ...errorResponses } },
      },
      async (request) => services.authz.check(request.principal, request.body),
    );
    app.get(
      '/api/v1/authz/who-can',
      {
        config: {
          access: {
            actions: ['ManageProjectAccess', 'ManagePolicies'],
            resource: 'the resource’s project, or org',
          },
        },
        schema: {
          tags: ['authz'],
          querystring: whoCanQuery,
          response: { 200: whoCanResponse, ...errorResponses },
        },
      },
      async (request) =>
        services.authz.whoCan(request.principal, request.query.action, request.query.resource),
    );
    app.get(
      '/api/v1/members/:email/permissions',
      {
        config: { access: anyMember('anyone may read their own; another member’s needs ManagePolicies') },
        schema: {
          tags: ['authz'],
          params: emailParams,
          response: { 200: effectivePermissionsSchema, ...errorResponses },
        },
      },
      async (request) => services.authz.effectivePermissions(request.principal, request.params.email),
    );
  };
}
