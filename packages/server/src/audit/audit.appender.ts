import type { Tx } from '../db/database';
import type { AuditActor, OrgRef, RequestMeta } from '../governance/principal';
import type { AuditRepository } from './audit.repository';
import type { AuditEntry } from './audit.types';
import { timeOrderedUuid } from './entry-id';

/** Everything an entry records except what the log assigns (seq, id, time, hashes). */
export interface AuditDraft {
  org: OrgRef;
  actor: AuditActor;
  actions: string[];
  resource: string;
  project?: string | undefined;
  environment?: string | undefined;
  flag?: string | undefined;
  summary: string;
  before?: unknown;
  after?: unknown;
  comment?: string | undefined;
  outcome: 'applied' | 'denied';
  reason?: string | undefined;
  meta: RequestMeta;
}

/** Appends entries inside the caller's transaction. */
export interface AuditAppender {
  append(tx: Tx, draft: AuditDraft): Promise<AuditEntry>;
}

/** A JSON copy of a value, as it will be read back from the log (undefined members dropped, dates as text). */
function jsonCopy(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** The entry without `seq`, `prevHash` and `hash`: what the log adds under its lock. */
export type UnsealedEntry = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;

/** Builds the unsealed entry of a draft. */
export function unsealedEntryOf(draft: AuditDraft, now: Date): UnsealedEntry {
  const optional: Record<string, unknown> = {
    project: draft.project,
    environment: draft.environment,
    flag: draft.flag,
    before: jsonCopy(draft.before),
    after: jsonCopy(draft.after),
    comment: draft.comment,
    reason: draft.reason,
    ip: draft.meta.ip,
    userAgent: draft.meta.userAgent,
  };
  const entry: Record<string, unknown> = {
    id: timeOrderedUuid(now),
    at: now.toISOString(),
    org: draft.org.key,
    actor: draft.actor,
    actions: draft.actions,
    resource: draft.resource,
    summary: draft.summary,
    outcome: draft.outcome,
    requestId: draft.meta.requestId,
  };
  // Undefined members are left out, so the hashed JSON and the stored JSON are the same document.
  for (const key in optional) if (optional[key] !== undefined) entry[key] = optional[key];
  return entry as unknown as UnsealedEntry;
}

/** The production appender: seals each entry into the organization's hash chain and Merkle tree. */
export class ChainedAuditAppender implements AuditAppender {
  constructor(
    private readonly repository: AuditRepository,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  append(tx: Tx, draft: AuditDraft): Promise<AuditEntry> {
    return this.repository
      .appendSealed(tx, draft.org.id, [unsealedEntryOf(draft, this.clock())])
      .then((e) => e[0]!);
  }
}
