import { canonicalJson, hashEntry, MerkleFrontier } from '@flagward/core';
import { CompiledQuery } from 'kysely';
import type { DialectName, Executor, Tx } from '../db/database';
import type { AuditEntriesTable, AuditHeadsTable } from '../db/database.types';
import { lockRows, parameterPlaceholder } from '../db/dialect';
import { type ScopeAccess, scopeSlot, transactionScope } from '../db/transaction.scope';
import type { AuditActor } from '../governance/principal';
import type { UnsealedEntry } from './audit.appender';
import type { AuditEntry } from './audit.types';

/** The head of an organization's log: its size, last hash and Merkle frontier. */
export interface AuditHead {
  seq: number;
  hash: string;
  frontier: MerkleFrontier;
}

/** The email an entry is filtered by: the member's, or the member a system actor acted for. */
export function actorEmailOf(actor: AuditActor): string | null {
  return actor.email ?? actor.onBehalfOf?.email ?? null;
}

const ENTRY_COLUMNS = [
  'org_id',
  'seq',
  'id',
  'at',
  'actor',
  'actor_email',
  'actions',
  'resource',
  'project',
  'environment',
  'flag',
  'summary',
  'before',
  'after',
  'outcome',
  'reason',
  'request_id',
  'ip',
  'user_agent',
  'prev_hash',
  'hash',
  'body',
] as const satisfies ReadonlyArray<keyof AuditEntriesTable>;

/** Rows per INSERT statement (far below both dialects' parameter limits). */
const ROWS_PER_INSERT = 500;

function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function rowOf(orgId: string, e: AuditEntry): AuditEntriesTable {
  return {
    org_id: orgId,
    seq: e.seq,
    id: e.id,
    at: e.at,
    actor: JSON.stringify(e.actor),
    actor_email: actorEmailOf(e.actor),
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
    body: canonicalJson(e),
  };
}

// The statement text for each (dialect, row count): the hot path builds no query per append.
const insertTexts = new Map<string, string>();

function insertText(dialect: DialectName, rows: number): string {
  const key = `${dialect}:${rows}`;
  let text = insertTexts.get(key);
  if (text === undefined) {
    const width = ENTRY_COLUMNS.length;
    const tuples = Array.from(
      { length: rows },
      (_, r) =>
        `(${ENTRY_COLUMNS.map((_, c) => parameterPlaceholder(dialect, r * width + c + 1)).join(', ')})`,
    );
    text = `insert into audit_entries (${ENTRY_COLUMNS.join(', ')}) values ${tuples.join(', ')}`;
    insertTexts.set(key, text);
  }
  return text;
}

async function insertRows(executor: Executor, dialect: DialectName, rows: readonly AuditEntriesTable[]) {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    const parameters = chunk.flatMap((row) => ENTRY_COLUMNS.map((column) => row[column]));
    await executor.executeQuery(CompiledQuery.raw(insertText(dialect, chunk.length), parameters));
  }
}

function writeHead(executor: Executor, orgId: string, head: AuditHead): Promise<unknown> {
  return executor
    .updateTable('audit_heads')
    .set({ seq: head.seq, hash: head.hash, frontier: JSON.stringify(head.frontier.toJSON()) })
    .where('org_id', '=', orgId)
    .execute();
}

/** What a scoped transaction appended and has not written yet. */
interface StagedLogs {
  readonly dialect: DialectName;
  /** The heads as of the last append, per organization (known, and locked, for the next append). */
  readonly heads: ReadonlyMap<string, AuditHead>;
  /** The organizations whose head moved since it was last written. */
  readonly moved: ReadonlySet<string>;
  readonly rows: readonly AuditEntriesTable[];
}

/**
 * The appends of a group-committed transaction. It holds the heads locked from its first append, so
 * they are read once and kept in memory across its changes, and the entries are inserted together:
 * both are written just before COMMIT (or before anything in the transaction reads the log). A change
 * rolled back to its savepoint takes its entries and head back with it (see TransactionScope).
 */
const STAGED = scopeSlot<StagedLogs>('audit appends', (tx, staged) => writeStaged(tx, staged));

async function writeStaged(executor: Executor, staged: StagedLogs): Promise<StagedLogs> {
  await Promise.all([
    insertRows(executor, staged.dialect, staged.rows),
    ...[...staged.moved].map((orgId) => writeHead(executor, orgId, staged.heads.get(orgId)!)),
  ]);
  return { dialect: staged.dialect, heads: staged.heads, moved: new Set(), rows: [] };
}

function headOf(row: AuditHeadsTable): AuditHead {
  const frontier = MerkleFrontier.fromJSON(JSON.parse(row.frontier));
  const seq = Number(row.seq);
  if (frontier.size !== seq) throw new Error(`the audit head of ${row.org_id} is inconsistent`);
  return { seq, hash: row.hash, frontier };
}

async function lockedHead(tx: Tx, dialect: DialectName, orgId: string): Promise<AuditHead> {
  const row = await lockRows(
    dialect,
    tx.selectFrom('audit_heads').selectAll().where('org_id', '=', orgId),
  ).executeTakeFirst();
  if (!row) throw new Error(`organization ${orgId} has no audit log`);
  return headOf(row);
}

function seal(head: AuditHead, entries: readonly UnsealedEntry[]): { sealed: AuditEntry[]; next: AuditHead } {
  const frontier = head.frontier.clone();
  let seq = head.seq;
  let prevHash = head.hash;
  const sealed: AuditEntry[] = [];
  for (const unsealed of entries) {
    seq += 1;
    const withoutHash = { ...unsealed, seq, prevHash };
    const hash = hashEntry(withoutHash);
    frontier.append(Buffer.from(hash, 'hex'));
    sealed.push({ ...withoutHash, hash } as AuditEntry);
    prevHash = hash;
  }
  return { sealed, next: { seq, hash: prevHash, frontier } };
}

/**
 * Seals entries into the organization's chain under the log's lock (`FOR UPDATE` on PostgreSQL; SQLite
 * serializes writers): gapless seq, prevHash, hash (core's hashEntry, which is also the RFC 6962 leaf
 * hash) and the Merkle frontier. In a scoped transaction the writes are staged (see STAGED); otherwise
 * they are made at once.
 */
export async function appendSealedEntries(
  tx: Tx,
  dialect: DialectName,
  orgId: string,
  entries: readonly UnsealedEntry[],
): Promise<AuditEntry[]> {
  const scope = transactionScope(tx);
  if (!scope) {
    const { sealed, next } = seal(await lockedHead(tx, dialect, orgId), entries);
    await insertRows(
      tx,
      dialect,
      sealed.map((e) => rowOf(orgId, e)),
    );
    await writeHead(tx, orgId, next);
    return sealed;
  }
  // The head as the transaction found it is read once, however many changes of a batch append at the
  // same time; after that the staged head is the current one.
  let head = scope.get(STAGED)?.heads.get(orgId);
  if (head === undefined) {
    const found = await scope.once(`audit head ${orgId}`, () => lockedHead(tx, dialect, orgId));
    head = scope.get(STAGED)?.heads.get(orgId) ?? found;
  }
  // From here on nothing is awaited: the staged state read now is the one replaced below.
  const staged = scope.get(STAGED);
  const { sealed, next } = seal(head, entries);
  const heads = new Map(staged?.heads);
  heads.set(orgId, next);
  const moved = new Set(staged?.moved);
  moved.add(orgId);
  const rows = sealed.map((e) => rowOf(orgId, e));
  scope.set(STAGED, { dialect, heads, moved, rows: staged ? [...staged.rows, ...rows] : rows });
  return sealed;
}

/** Writes what the executor's transaction staged, so a read of the log in it sees its own appends. */
export async function writeStagedAppends(executor: Executor): Promise<void> {
  const scope: ScopeAccess | undefined = transactionScope(executor);
  const staged = scope?.get(STAGED);
  if (!scope || !staged || (staged.rows.length === 0 && staged.moved.size === 0)) return;
  scope.set(STAGED, await writeStaged(executor, staged));
}

/**
 * Primes the scope with heads locked and read by the transaction itself (group commit locks every
 * head first), so the first append of each organization reads nothing.
 */
export function knownHeads(executor: Executor, rows: readonly AuditHeadsTable[]): void {
  const scope = transactionScope(executor);
  if (!scope) return;
  for (const row of rows) {
    const head = headOf(row);
    void scope.once(`audit head ${row.org_id}`, async () => head);
  }
}
