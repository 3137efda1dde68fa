import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services';
import { errorResponses } from '../http/common.schemas';
import { anyMember, needs, publicRoute } from '../http/route-access';
import {
  auditExportQuery,
  auditPageSchema,
  auditQuery,
  checkpointQuery,
  consistencyProofSchema,
  consistencyQuery,
  exportBodySchema,
  inclusionProofSchema,
  inclusionQuery,
  textSchema,
  timelineQuery,
  verifyResultSchema,
} from './audit.schemas';

const TEXT = 'text/plain; charset=utf-8';
const VISIBLE_ENTRIES =
  'only entries about resources the caller may read: CanAccessEnv / CanAccessProject, or ReadAuditLog on org for the whole log';

export function auditRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/audit',
      {
        config: { access: anyMember(VISIBLE_ENTRIES) },
        schema: {
          tags: ['audit'],
          description: 'Audit entries, newest first, with cursor pagination.',
          querystring: auditQuery,
          response: { 200: auditPageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const { cursor, limit, ...filter } = request.query;
        return services.audit.list(request.principal, filter, { cursor, limit });
      },
    );

    app.get(
      '/api/v1/audit/export',
      {
        config: { access: anyMember(VISIBLE_ENTRIES) },
        schema: {
          tags: ['audit'],
          description:
            'Oldest first, up to a checkpoint signed for the export, or up to the stored checkpoint of `size` (the size is in x-flagward-checkpoint-size). A complete NDJSON export is the stored entries, one per line; a filtered one (any filter, or a caller without ReadAuditLog) has lines {entry, proof} with inclusion proofs against that checkpoint.',
          querystring: auditExportQuery,
          response: { 200: exportBodySchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { format, size, ...filter } = request.query;
        const exported = await services.audit.export(request.principal, filter, format, size);
        reply
          .type(exported.contentType)
          .header('x-flagward-checkpoint-size', String(exported.checkpointSize))
          .header('x-flagward-export', exported.withProofs ? 'filtered' : 'complete')
          .header('content-disposition', `attachment; filename="audit-${exported.checkpointSize}.${format}"`);
        return reply.send(Readable.from(exported.chunks));
      },
    );

    app.get(
      '/api/v1/audit/verify',
      {
        config: { access: needs('org', 'ReadAuditLog') },
        schema: {
          tags: ['audit'],
          description:
            'Recomputes the hash chain and the Merkle tree from the stored entries and checks every signed checkpoint.',
          response: { 200: verifyResultSchema, ...errorResponses },
        },
      },
      async (request) => services.audit.verify(request.principal),
    );

    app.get(
      '/api/v1/audit/checkpoint',
      {
        config: { access: anyMember('the signed tree head of the caller’s organization') },
        schema: {
          tags: ['audit'],
          description: 'The latest signed checkpoint (C2SP signed note), or the one of a given size.',
          querystring: checkpointQuery,
          response: { 200: textSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply.type(TEXT).send(await services.checkpoints.note(request.principal, request.query.size)),
    );

    app.post(
      '/api/v1/audit/checkpoint',
      {
        config: { access: needs('org', 'ReadAuditLog') },
        schema: {
          tags: ['audit'],
          description: 'Signs a checkpoint of the current tree now (when it grew) and returns the latest.',
          response: { 200: textSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.type(TEXT).send(await services.checkpoints.sign(request.principal)),
    );

    app.get(
      '/api/v1/audit/public-key',
      {
        config: { access: publicRoute('the published verifier key of audit checkpoints') },
        schema: {
          tags: ['audit'],
          description: 'The C2SP verifier key (vkey) that checks checkpoint signatures.',
          response: { 200: textSchema },
        },
      },
      async (_request, reply) => reply.type(TEXT).send(`${services.checkpoints.publicKey}\n`),
    );

    app.get(
      '/api/v1/audit/proof/inclusion',
      {
        config: { access: anyMember('an inclusion proof of an entry the caller may read') },
        schema: {
          tags: ['audit'],
          querystring: inclusionQuery,
          response: { 200: inclusionProofSchema, ...errorResponses },
        },
      },
      async (request) => services.audit.inclusion(request.principal, request.query.seq, request.query.size),
    );

    app.get(
      '/api/v1/audit/proof/consistency',
      {
        config: { access: anyMember('a consistency proof reveals only hashes') },
        schema: {
          tags: ['audit'],
          querystring: consistencyQuery,
          response: { 200: consistencyProofSchema, ...errorResponses },
        },
      },
      async (request) => services.audit.consistency(request.principal, request.query.from, request.query.to),
    );

    app.get(
      '/api/v1/audit/timeline',
      {
        config: {
          access: {
            actions: ['CanAccessProject', 'CanAccessEnv'],
            resource: 'project/{project}, and project/{project}:env/{environment} when given',
          },
        },
        schema: {
          tags: ['audit'],
          description:
            'The applied changes in a project (or one environment) over a time window, oldest first.',
          querystring: timelineQuery,
          response: { 200: auditPageSchema, ...errorResponses },
        },
      },
      async (request) => services.audit.timeline(request.principal, request.query),
    );
  };
}
