import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/database';
import type { AuditActor, OrgRef, RequestMeta } from '../governance/principal';
import type { AuditRepository } from './audit.repository';
import type { AuditEntry } from './audit.types';

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

/** Removes undefined members so the hashed JSON and the stored JSON are the same document. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The entry without `seq`, `prevHash` and `hash`: what the log adds under its lock. */
export type UnsealedEntry = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;

/** Builds the unsealed entry of a draft. */
export function unsealedEntryOf(draft: AuditDraft, now: Date): UnsealedEntry {
  return defined({
    id: randomUUID(),
    at: now.toISOString(),
    org: draft.org.key,
    actor: draft.actor,
    actions: draft.actions,
    resource: draft.resource,
    project: draft.project,
    environment: draft.environment,
    flag: draft.flag,
    summary: draft.summary,
    before: draft.before === undefined ? undefined : JSON.parse(JSON.stringify(draft.before)),
    after: draft.after === undefined ? undefined : JSON.parse(JSON.stringify(draft.after)),
    comment: draft.comment,
    outcome: draft.outcome,
    reason: draft.reason,
    requestId: draft.meta.requestId,
    ip: draft.meta.ip,
    userAgent: draft.meta.userAgent,
  });
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
