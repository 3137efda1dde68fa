import type { AuditActor } from '../governance/principal';

/** An audit entry exactly as API.md "Audit" defines it (and as it is hashed). */
export interface AuditEntry {
  seq: number;
  id: string;
  at: string;
  org: string;
  actor: AuditActor;
  actions: string[];
  resource: string;
  project?: string;
  environment?: string;
  flag?: string;
  summary: string;
  before?: unknown;
  after?: unknown;
  /** The caller's own words about the change, when given. */
  comment?: string;
  outcome: 'applied' | 'denied';
  reason?: string;
  requestId: string;
  ip?: string;
  userAgent?: string;
  prevHash: string;
  hash: string;
}

/** Filters of the audit query and export (API.md "Audit"); every one is optional. */
export interface AuditFilter {
  project?: string | undefined;
  environment?: string | undefined;
  flag?: string | undefined;
  /** An actor's email (the member, or the member a system actor acted for). */
  actor?: string | undefined;
  action?: string | undefined;
  outcome?: 'applied' | 'denied' | undefined;
  /** Inclusive lower bound of `at`. */
  since?: string | undefined;
  /** Exclusive upper bound of `at`. */
  until?: string | undefined;
  /** Free text, matched in the summary, the resource and the reason. */
  q?: string | undefined;
}

/** What `GET /api/v1/audit/verify` answers. */
export interface AuditVerifyResult {
  ok: boolean;
  size: number;
  root: string;
  checkedCheckpoints: number;
  firstBadSeq?: number;
  problem?: string;
  message?: string;
}
