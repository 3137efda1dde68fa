import type { AssignmentParams } from '@flagward/core';

/** Organization roles, exactly one per membership. */
export type OrgRole = 'owner' | 'admin' | 'member';

/** The organization a request acts in; it always comes from the session or token, never the client. */
export interface OrgRef {
  id: string;
  key: string;
  name: string;
}

/** An authenticated member, possibly acting through one of their API tokens. */
export interface MemberPrincipal {
  kind: 'member';
  memberId: string;
  email: string;
  name: string;
  orgRole: OrgRole;
  org: OrgRef;
  token?: TokenRef;
  auth: 'session' | 'token';
}

/** The API token a request was made with. */
export interface TokenRef {
  id: string;
  name: string;
  /** The policy the token is limited to: it acts with what both its member and this policy allow. */
  limit?: TokenLimit;
}

/** A policy (built-in or custom) with its assignment parameters, as a token's limit. */
export interface TokenLimit {
  policy: string;
  params: AssignmentParams;
}

/** The server itself, acting on behalf of a member (a scheduled step) or on its own (an expiry). */
export interface SystemPrincipal {
  kind: 'system';
  org: OrgRef;
  /** When set, decisions are made with this member's permissions as they are now. */
  onBehalfOf?: MemberPrincipal;
}

export type Principal = MemberPrincipal | SystemPrincipal;

/** Facts about the HTTP request that every audit entry records. */
export interface RequestMeta {
  requestId: string;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

/** The actor as written into an audit entry (API.md "Audit"). */
export interface AuditActor {
  type: 'member' | 'system';
  id?: string;
  email?: string;
  token?: { id: string; name: string };
  onBehalfOf?: { id: string; email: string };
}

/** The audit form of a principal. */
export function auditActorOf(principal: Principal): AuditActor {
  if (principal.kind === 'system') {
    return principal.onBehalfOf
      ? {
          type: 'system',
          onBehalfOf: { id: principal.onBehalfOf.memberId, email: principal.onBehalfOf.email },
        }
      : { type: 'system' };
  }
  return {
    type: 'member',
    id: principal.memberId,
    email: principal.email,
    ...(principal.token ? { token: { id: principal.token.id, name: principal.token.name } } : {}),
  };
}

/** The system meta used for changes that no HTTP request caused. */
export function systemMeta(requestId: string): RequestMeta {
  return { requestId };
}
