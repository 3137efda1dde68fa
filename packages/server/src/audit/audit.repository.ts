import type { DialectName, Executor, Tx } from '../db/database';
import { lockRows } from '../db/dialect';
import type { UnsealedEntry } from './audit.appender';
import type { AuditEntry } from './audit.types';
import { hashEntry, MerkleFrontier, ZERO_HASH } from './tmp-frontier';

function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Reads and appends audit entries. Nothing here (or anywhere) updates or deletes an entry. */
export class AuditRepository {
  constructor(private readonly dialect: DialectName) {}

  /** Creates the empty log of a new organization (inside the organization's creating transaction). */
  async createLog(executor: Executor, orgId: string): Promise<void> {
    await executor
      .insertInto('audit_heads')
      .values({
        org_id: orgId,
        seq: 0,
        hash: ZERO_HASH,
        frontier: JSON.stringify(new MerkleFrontier().toJSON()),
      })
      .execute();
  }

  /**
   * Seals entries into the organization's chain under the log's lock: gapless seq, prevHash, hash,
   * Merkle frontier. Must run inside the transaction that makes the change.
   */
  async appendSealed(tx: Tx, orgId: string, entries: UnsealedEntry[]): Promise<AuditEntry[]> {
    const head = await lockRows(
      this.dialect,
      tx.selectFrom('audit_heads').selectAll().where('org_id', '=', orgId),
    ).executeTakeFirst();
    if (!head) throw new Error(`organization ${orgId} has no audit log`);
    const frontier = MerkleFrontier.fromJSON(JSON.parse(head.frontier));
    let seq = Number(head.seq);
    let prevHash = head.hash;
    const sealed: AuditEntry[] = [];
    for (const unsealed of entries) {
      seq += 1;
      const withoutHash = { ...unsealed, seq, prevHash };
      const hash = hashEntry(withoutHash);
      const entry: AuditEntry = { ...withoutHash, hash };
      frontier.append(Buffer.from(hash, 'hex'));
      sealed.push(entry);
      prevHash = hash;
    }
    await tx
      .insertInto('audit_entries')
      .values(
        sealed.map((e) => ({
          org_id: orgId,
          seq: e.seq,
          id: e.id,
          at: e.at,
          actor: JSON.stringify(e.actor),
          actions: JSON.stringify(e.actions),
          resource: e.resource,
          project: e.project ?? null,
          environment: e.environment ?? null,
          flag: e.flag ?? null,
          summary: e.summary,
          before: toJson(e.before),
          after: toJson(e.after),
          outcome: e.outcome,
          reason: e.reason ?? null,
          request_id: e.requestId,
          ip: e.ip ?? null,
          user_agent: e.userAgent ?? null,
          prev_hash: e.prevHash,
          hash: e.hash,
          body: JSON.stringify(e),
        })),
      )
      .execute();
    await tx
      .updateTable('audit_heads')
      .set({ seq, hash: prevHash, frontier: JSON.stringify(frontier.toJSON()) })
      .where('org_id', '=', orgId)
      .execute();
    return sealed;
  }

  /** Entries of an organization in seq order (oldest first), for tests and export. */
  async listAll(executor: Executor, orgId: string): Promise<AuditEntry[]> {
    const rows = await executor
      .selectFrom('audit_entries')
      .select('body')
      .where('org_id', '=', orgId)
      .orderBy('seq', 'asc')
      .execute();
    return rows.map((r) => JSON.parse(r.body) as AuditEntry);
  }

  async count(executor: Executor, orgId: string): Promise<number> {
    const row = await executor
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
