import type { FlagConfiguration, FlagKind, Serve, Variation } from '@flagward/core';

/** Shapes of the API responses the console reads (API.md). */

export type OrgRole = 'owner' | 'admin' | 'member';

export interface Me {
  member: { id: string; email: string; name: string };
  organization: { key: string; name: string };
  orgRole: OrgRole;
  token?: { id: string; name: string; policy: TokenPolicy | null };
}

/** The policy an API token is limited to. */
export interface TokenPolicy {
  key: string;
  params: AssignmentParams;
}

/** One of the signed-in member's API tokens (never its secret). */
export interface ApiToken {
  id: string;
  name: string;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
  policy: TokenPolicy | null;
}

/** A token just created: the only time its secret is shown. */
export interface IssuedApiToken {
  id: string;
  name: string;
  secret: string;
  expiresAt: string | null;
  policy: TokenPolicy | null;
}

export interface Environment {
  key: string;
  name: string;
  production: boolean;
  tags: string[];
}

export interface Project {
  key: string;
  name: string;
  environments: Environment[];
}

export interface Member {
  email: string;
  name: string;
  orgRole: OrgRole;
  disabled: boolean;
}

export interface Group {
  key: string;
  name: string;
  members: string[];
}

export interface Statement {
  effect: 'allow' | 'deny';
  actions: string[];
  resources: string[];
}

export interface Policy {
  key: string;
  name: string;
  description: string;
  statements: Statement[];
  builtIn: boolean;
}

export interface AssignmentParams {
  project?: string;
  flag?: string;
  envs?: string[];
}

export interface Assignment {
  id: string;
  policy: string;
  member?: string;
  group?: string;
  params: AssignmentParams;
  expiresAt: string | null;
  createdAt: string;
}

export interface Change {
  action: string;
  resource: string;
}

export interface Preview {
  members: { member: string; gains: Change[]; losses: Change[] }[];
}

export interface Flag {
  key: string;
  name: string;
  description: string;
  tags: string[];
  kind: FlagKind;
  variations: Variation[];
  archived: boolean;
  createdBy: string | null;
  environments: Record<string, { on: boolean; version: number }>;
}

export interface Configuration extends FlagConfiguration {
  flag: string;
  environment: string;
  updatedAt: string;
}

export type { FlagConfiguration, Serve, Variation };

export interface FlagPermission {
  id: string;
  member?: string;
  group?: string;
  level: 'owner' | 'user';
  envs: string[];
}

export interface ProtectionAllowed {
  orgRoles: OrgRole[];
  policies: string[];
  groups: string[];
  members: string[];
}

export interface Protection {
  operations: string[];
  allowed: ProtectionAllowed;
}

export interface Variable {
  key: string;
  value: string;
  secret: boolean;
}

export interface AuditActor {
  type: 'member' | 'system';
  id?: string;
  email?: string;
  token?: { id: string; name: string };
  onBehalfOf?: unknown;
}

export interface AuditEntry {
  seq: number;
  id: string;
  at: string;
  actor: AuditActor;
  actions: string[];
  resource: string;
  project?: string;
  environment?: string;
  flag?: string;
  summary: string;
  before?: unknown;
  after?: unknown;
  comment?: string;
  outcome: 'applied' | 'denied';
  reason?: string;
  requestId: string;
  ip?: string;
  prevHash: string;
  hash: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
