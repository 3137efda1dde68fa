import { hexToBytes, MerkleFrontier, sealEntry } from '@flagward/core';
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
  'outcome',
  'reason',
  'hash',
  'body',
] as const satisfies ReadonlyArray<keyof AuditEntriesTable>;

/** Rows per INSERT statement (far below both dialects' parameter limits). */
const ROWS_PER_INSERT = 500;

/** The row of a sealed entry; `body` is its canonical JSON (from sealing). */
function rowOf(orgId: string, e: AuditEntry, body: string): AuditEntriesTable {
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
    outcome: e.outcome,
    reason: e.reason ?? null,
    hash: e.hash,
    body,
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

/** An entry appended in a scoped transaction, sealed when the transaction writes it. */
interface PendingEntry {
  readonly orgId: string;
  /** The object the append returned; sealing fills in its seq, prevHash and hash. */
  readonly entry: AuditEntry;
}

/** What a scoped transaction appended and has not written yet. */
interface StagedLogs {
  readonly dialect: DialectName;
  /** The heads this transaction locked, as of the last entry it wrote, per organization. */
  readonly heads: ReadonlyMap<string, AuditHead>;
  readonly pending: readonly PendingEntry[];
}

/**
 * The appends of a group-committed transaction. Entries are staged as they are appended and sealed
 * and inserted together when the transaction is flushed: just before COMMIT, or before anything in
 * the transaction reads the log. Only then are the heads locked (`FOR UPDATE`, in organization order)
 * and read, so a transaction holds an organization's head, which every writer of its log waits for,
 * only for its last statements: the changes of several server processes run side by side and queue
 * only for sealing, inserting and committing. A change rolled back to its savepoint takes its entries
 * back with it (see TransactionScope).
 */
const STAGED = scopeSlot<StagedLogs>('audit appends', (tx, staged) => writeStaged(tx, staged), {
  last: true,
});

async function writeStaged(executor: Executor, staged: StagedLogs): Promise<StagedLogs> {
  if (staged.pending.length === 0) return staged;
  const heads = new Map(staged.heads);
  const unknown = [...new Set(staged.pending.map((p) => p.orgId))].filter((id) => !heads.has(id)).sort();
  if (unknown.length > 0) {
    const rows = await lockRows(
      staged.dialect,
      executor.selectFrom('audit_heads').selectAll().where('org_id', 'in', unknown).orderBy('org_id'),
    ).execute();
    for (const row of rows) heads.set(row.org_id, headOf(row));
  }
  const byOrg = new Map<string, AuditEntry[]>();
  for (const { orgId, entry } of staged.pending) {
    const entries = byOrg.get(orgId);
    if (entries) entries.push(entry);
    else byOrg.set(orgId, [entry]);
  }
  const rows: AuditEntriesTable[] = [];
  for (const [orgId, entries] of byOrg) {
    const head = heads.get(orgId);
    if (!head) throw new Error(`organization ${orgId} has no audit log`);
    heads.set(
      orgId,
      seal(head, entries, (entry, body) => rows.push(rowOf(orgId, entry, body))),
    );
  }
  await Promise.all([
    insertRows(executor, staged.dialect, rows),
    ...[...byOrg.keys()].map((orgId) => writeHead(executor, orgId, heads.get(orgId)!)),
  ]);
  return { dialect: staged.dialect, heads, pending: [] };
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

/**
 * Seals entries in order after `head`: sets each one's seq, prevHash and hash (in place: they are the
 * objects the appends returned, or copies) and passes it with its canonical text to `sealed`.
 */
function seal(
  head: AuditHead,
  entries: AuditEntry[],
  sealed: (entry: AuditEntry, body: string) => void,
): AuditHead {
  const frontier = head.frontier.clone();
  let seq = head.seq;
  let prevHash = head.hash;
  for (const entry of entries) {
    seq += 1;
    entry.seq = seq;
    entry.prevHash = prevHash;
    const { hash, canonical } = sealEntry(entry);
    entry.hash = hash;
    frontier.append(hexToBytes(hash));
    sealed(entry, canonical);
    prevHash = hash;
  }
  return { seq, hash: prevHash, frontier };
}

/**
 * Appends entries to the organization's chain: gapless seq, prevHash, hash (core's hashEntry, which is
 * also the RFC 6962 leaf hash) and the Merkle frontier, sealed under the log's lock (`FOR UPDATE` on
 * PostgreSQL; SQLite serializes writers). In a scoped transaction the entries are staged and sealed
 * when the transaction writes them (see STAGED): the returned entries get their seq and hashes then,
 * before COMMIT. Otherwise they are sealed and written at once.
 */
export async function appendSealedEntries(
  tx: Tx,
  dialect: DialectName,
  orgId: string,
  entries: readonly UnsealedEntry[],
): Promise<AuditEntry[]> {
  const scope = transactionScope(tx);
  if (!scope) {
    const sealed = entries.map((unsealed) => ({ ...unsealed }) as AuditEntry);
    const rows: AuditEntriesTable[] = [];
    const next = seal(await lockedHead(tx, dialect, orgId), sealed, (entry, body) =>
      rows.push(rowOf(orgId, entry, body)),
    );
    await insertRows(tx, dialect, rows);
    await writeHead(tx, orgId, next);
    return sealed;
  }
  const staged = scope.get(STAGED);
  const added = entries.map((unsealed) => ({ orgId, entry: { ...unsealed } as AuditEntry }));
  scope.set(STAGED, {
    dialect,
    heads: staged?.heads ?? new Map(),
    pending: staged ? [...staged.pending, ...added] : added,
  });
  return added.map((p) => p.entry);
}

/** Writes what the executor's transaction staged, so a read of the log in it sees its own appends. */
export async function writeStagedAppends(executor: Executor): Promise<void> {
  const scope: ScopeAccess | undefined = transactionScope(executor);
  const staged = scope?.get(STAGED);
  if (!scope || !staged || staged.pending.length === 0) return;
  scope.set(STAGED, await writeStaged(executor, staged));
}
