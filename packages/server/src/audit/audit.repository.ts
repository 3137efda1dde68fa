import { MerkleFrontier, ZERO_HASH } from '@flagward/core';
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { DialectName, Executor, Tx } from '../db/database';
import type { AuditCheckpointsTable, Database } from '../db/database.types';
import { likeOperator } from '../db/dialect';
import type { UnsealedEntry } from './audit.appender';
import type { AuditEntry, AuditFilter } from './audit.types';
import { type AuditHead, appendSealedEntries, writeStagedAppends } from './entry-append.repository';

/** A stored entry as the query paths need it: its position, the columns visibility needs, the body. */
export interface StoredEntryRow {
  seq: number;
  project: string | null;
  environment: string | null;
  body: string;
}

export type CheckpointRow = AuditCheckpointsTable;

/** Escapes LIKE metacharacters so user text matches literally (with `escape '\'`). */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type EntryExpressionBuilder = ExpressionBuilder<Database, 'audit_entries'>;

/** Reads and appends audit entries and checkpoints. Nothing here (or anywhere) updates or deletes one. */
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

  /** Appends entries to the organization's chain inside the change's transaction (see appendSealedEntries). */
  appendSealed(tx: Tx, orgId: string, entries: UnsealedEntry[]): Promise<AuditEntry[]> {
    return appendSealedEntries(tx, this.dialect, orgId, entries);
  }

  /** Every organization that has a log. */
  async logs(executor: Executor): Promise<Array<{ id: string; key: string; name: string }>> {
    return executor
      .selectFrom('audit_heads')
      .innerJoin('organizations', 'organizations.id', 'audit_heads.org_id')
      .select(['organizations.id', 'organizations.key', 'organizations.name'])
      .orderBy('organizations.key')
      .execute();
  }

  /** The committed head of an organization's log (no lock). */
  async head(executor: Executor, orgId: string): Promise<AuditHead | undefined> {
    await writeStagedAppends(executor);
    const row = await executor
      .selectFrom('audit_heads')
      .selectAll()
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      seq: Number(row.seq),
      hash: row.hash,
      frontier: MerkleFrontier.fromJSON(JSON.parse(row.frontier)),
    };
  }

  /** One column of the entries with `afterSeq < seq <= uptoSeq`, in seq order, at most `limit` of them. */
  private async range<C extends 'body' | 'hash'>(
    executor: Executor,
    orgId: string,
    column: C,
    window: { afterSeq: number; uptoSeq: number; limit: number },
  ): Promise<Array<{ seq: number } & Record<C, string>>> {
    await writeStagedAppends(executor);
    const rows = await executor
      .selectFrom('audit_entries')
      .select(['seq', column])
      .where('org_id', '=', orgId)
      .where('seq', '>', window.afterSeq)
      .where('seq', '<=', window.uptoSeq)
      .orderBy('seq', 'asc')
      .limit(window.limit)
      .execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }) as { seq: number } & Record<C, string>);
  }

  /** Stored bodies with `afterSeq < seq <= uptoSeq`, in seq order, at most `limit` of them. */
  bodies(executor: Executor, orgId: string, afterSeq: number, uptoSeq: number, limit: number) {
    return this.range(executor, orgId, 'body', { afterSeq, uptoSeq, limit });
  }

  /** Leaf hashes (the `hash` column) with `afterSeq < seq <= uptoSeq`, in seq order. */
  leafHashes(executor: Executor, orgId: string, afterSeq: number, uptoSeq: number, limit: number) {
    return this.range(executor, orgId, 'hash', { afterSeq, uptoSeq, limit });
  }

  async entryBySeq(executor: Executor, orgId: string, seq: number): Promise<StoredEntryRow | undefined> {
    await writeStagedAppends(executor);
    const row = await executor
      .selectFrom('audit_entries')
      .select(['seq', 'project', 'environment', 'body'])
      .where('org_id', '=', orgId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    return row ? { ...row, seq: Number(row.seq) } : undefined;
  }

  private filterExpression(eb: EntryExpressionBuilder, filter: AuditFilter): Expression<SqlBool> {
    const like = likeOperator(this.dialect);
    const conditions: Expression<SqlBool>[] = [];
    if (filter.project !== undefined) conditions.push(eb('project', '=', filter.project));
    if (filter.environment !== undefined) conditions.push(eb('environment', '=', filter.environment));
    if (filter.flag !== undefined) conditions.push(eb('flag', '=', filter.flag));
    if (filter.outcome !== undefined) conditions.push(eb('outcome', '=', filter.outcome));
    if (filter.since !== undefined) conditions.push(eb('at', '>=', filter.since));
    if (filter.until !== undefined) conditions.push(eb('at', '<', filter.until));
    if (filter.action !== undefined) {
      conditions.push(
        sql<SqlBool>`${eb.ref('actions')} like ${likePattern(`"${filter.action}"`)} escape '\\'`,
      );
    }
    if (filter.actor !== undefined) {
      const email = filter.actor.toLowerCase();
      conditions.push(
        eb.or([
          eb('actor_email', '=', email),
          eb.and([
            eb('actor_email', 'is', null),
            sql<SqlBool>`${eb.ref('actor')} ${sql.raw(like)} ${likePattern(`"${email}"`)} escape '\\'`,
          ]),
        ]),
      );
    }
    if (filter.q !== undefined && filter.q !== '') {
      const pattern = likePattern(filter.q);
      conditions.push(
        eb.or(
          (['summary', 'resource', 'reason'] as const).map(
            (column) => sql<SqlBool>`${eb.ref(column)} ${sql.raw(like)} ${pattern} escape '\\'`,
          ),
        ),
      );
    }
    return eb.and(conditions);
  }

  /**
   * One page of entries matching `filter`, newest first below `beforeSeq` or oldest first above
   * `afterSeq`, never beyond `uptoSeq`.
   */
  async query(
    executor: Executor,
    orgId: string,
    filter: AuditFilter,
    page: { order: 'asc' | 'desc'; beforeSeq?: number; afterSeq?: number; uptoSeq?: number; limit: number },
  ): Promise<StoredEntryRow[]> {
    await writeStagedAppends(executor);
    let query = executor
      .selectFrom('audit_entries')
      .select(['seq', 'project', 'environment', 'body'])
      .where('org_id', '=', orgId)
      .where((eb) => this.filterExpression(eb, filter));
    if (page.beforeSeq !== undefined) query = query.where('seq', '<', page.beforeSeq);
    if (page.afterSeq !== undefined) query = query.where('seq', '>', page.afterSeq);
    if (page.uptoSeq !== undefined) query = query.where('seq', '<=', page.uptoSeq);
    const rows = await query.orderBy('seq', page.order).limit(page.limit).execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  /**
   * Applied entries about one flag (in one environment, or about the flag as a whole), newest first,
   * at or before `at`.
   */
  async flagHistory(
    executor: Executor,
    orgId: string,
    address: { project: string; flag: string; env: string },
    at: string,
    page: { beforeSeq?: number; limit: number },
  ): Promise<Array<{ seq: number; body: string }>> {
    await writeStagedAppends(executor);
    let query = executor
      .selectFrom('audit_entries')
      .select(['seq', 'body'])
      .where('org_id', '=', orgId)
      .where('project', '=', address.project)
      .where('flag', '=', address.flag)
      .where((eb) => eb.or([eb('environment', '=', address.env), eb('environment', 'is', null)]))
      .where('outcome', '=', 'applied')
      .where('at', '<=', at);
    if (page.beforeSeq !== undefined) query = query.where('seq', '<', page.beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(page.limit).execute();
    return rows.map((r) => ({ seq: Number(r.seq), body: r.body }));
  }

  /**
   * Applied entries whose resource, outside any project (a policy, a member …), is exactly `resource`,
   * newest first, at or before `at`.
   */
  async resourceHistory(
    executor: Executor,
    orgId: string,
    resource: string,
    at: string,
    page: { beforeSeq?: number; limit: number },
  ): Promise<Array<{ seq: number; body: string }>> {
    await writeStagedAppends(executor);
    let query = executor
      .selectFrom('audit_entries')
      .select(['seq', 'body'])
      .where('org_id', '=', orgId)
      .where('resource', '=', resource)
      // What the partial index audit_entries_org_resource holds.
      .where('project', 'is', null)
      .where('outcome', '=', 'applied')
      .where('at', '<=', at);
    if (page.beforeSeq !== undefined) query = query.where('seq', '<', page.beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(page.limit).execute();
    return rows.map((r) => ({ seq: Number(r.seq), body: r.body }));
  }

  /**
   * Applied entries that can create or remove assignments (policies, flag permissions, members and
   * groups), oldest first, at or before `at`.
   */
  async assignmentHistory(
    executor: Executor,
    orgId: string,
    at: string,
    page: { afterSeq: number; limit: number },
  ): Promise<Array<{ seq: number; body: string }>> {
    await writeStagedAppends(executor);
    const rows = await executor
      .selectFrom('audit_entries')
      .select(['seq', 'body'])
      .where('org_id', '=', orgId)
      .where('outcome', '=', 'applied')
      .where('at', '<=', at)
      .where('seq', '>', page.afterSeq)
      .where((eb) =>
        eb.or([
          eb('resource', 'like', 'policy/%'),
          eb('resource', 'like', 'member/%'),
          eb('resource', 'like', 'group/%'),
          eb('resource', 'like', 'project/%:flag/%'),
        ]),
      )
      .orderBy('seq', 'asc')
      .limit(page.limit)
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), body: r.body }));
  }

  /** Entries of an organization in seq order (oldest first), for tests. */
  async listAll(executor: Executor, orgId: string): Promise<AuditEntry[]> {
    await writeStagedAppends(executor);
    const rows = await executor
      .selectFrom('audit_entries')
      .select('body')
      .where('org_id', '=', orgId)
      .orderBy('seq', 'asc')
      .execute();
    return rows.map((r) => JSON.parse(r.body) as AuditEntry);
  }

  async count(executor: Executor, orgId: string): Promise<number> {
    await writeStagedAppends(executor);
    const row = await executor
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Stores a signed checkpoint (append-only, like the entries). */
  async insertCheckpoint(executor: Executor, row: CheckpointRow): Promise<void> {
    await executor.insertInto('audit_checkpoints').values(row).execute();
  }

  async latestCheckpoint(executor: Executor, orgId: string): Promise<CheckpointRow | undefined> {
    const row = await executor
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? { ...row, size: Number(row.size) } : undefined;
  }

  async checkpointOfSize(
    executor: Executor,
    orgId: string,
    size: number,
  ): Promise<CheckpointRow | undefined> {
    const row = await executor
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('size', '=', size)
      .executeTakeFirst();
    return row ? { ...row, size: Number(row.size) } : undefined;
  }

  /** Every checkpoint of an organization, smallest first. */
  async checkpoints(executor: Executor, orgId: string): Promise<CheckpointRow[]> {
    const rows = await executor
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('size', 'asc')
      .execute();
    return rows.map((r) => ({ ...r, size: Number(r.size) }));
  }
}
