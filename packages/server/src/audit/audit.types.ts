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
