import {
  AuditChainVerifier,
  bytesToBase64,
  consistencyProof,
  FlagwardError,
  inclusionProof,
  rootOfLeaves,
} from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import { authorizeRead, requireMember } from '../governance/access';
import type { Requirement } from '../governance/authorizer';
import type { OrgRef, Principal } from '../governance/principal';
import { csvHeader, csvRecord } from './audit.export';
import type { AuditRepository, CheckpointRow, StoredEntryRow } from './audit.repository';
import type { AuditEntry, AuditFilter, AuditVerifyResult } from './audit.types';
import { AuditVisibility } from './audit.visibility';
import type { CheckpointService } from './checkpoint.service';
import type { LeafHashCache } from './leaf-hash.cache';
import { type VerifyParallelism, verifyParallelism } from './parallel.verifier';
import { feedStoredLog, storedLogSource, storedLogVerdict } from './stored-log.verifier';

const SCAN_BATCH = 500;
/** Rows one list request examines at most before answering with a (possibly short) page. */
const MAX_SCAN = 20_000;
const EXPORT_PAGE = 1_000;

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

export interface InclusionProofView {
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  proof: string[];
  root: string;
}

export interface ConsistencyProofView {
  from: number;
  to: number;
  proof: string[];
  fromRoot: string;
  toRoot: string;
}

/** An export: its media type, the checkpoint its proofs are against, and its text, piece by piece. */
export interface AuditExport {
  contentType: string;
  /** The size of the signed checkpoint the export stops at (and its proofs are against). */
  checkpointSize: number;
  /** Whether NDJSON lines are `{entry, proof}` (a filtered export) rather than complete entries. */
  withProofs: boolean;
  chunks: AsyncIterable<string>;
}

export interface TimelineQuery {
  project: string;
  environment?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

function parseCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const seq = /^[1-9][0-9]{0,15}$/.test(cursor) ? Number(cursor) : Number.NaN;
  if (!Number.isSafeInteger(seq)) {
    throw FlagwardError.validation([{ path: 'cursor', message: 'not a cursor returned by this endpoint' }]);
  }
  return seq;
}

function hasFilter(filter: AuditFilter): boolean {
  return Object.values(filter).some((value) => value !== undefined && value !== '');
}

function parseEntry(row: { body: string }): AuditEntry {
  return JSON.parse(row.body) as AuditEntry;
}

/** Progress of a long verification: entries checked so far and the size being verified. */
export type VerifyProgress = (checked: number, total: number) => void;

/**
 * Reading the audit log: query and export with per-viewer visibility, the release timeline, Merkle
 * proofs and the full verification of chain, tree and checkpoints.
 */
export class AuditService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly repository: AuditRepository,
    private readonly checkpoints: CheckpointService,
    private readonly leaves: LeafHashCache,
  ) {}

  private visibility(principal: Principal): AuditVisibility {
    return new AuditVisibility(this.deps.authorizer, this.deps.store.db, principal);
  }

  /** `GET /api/v1/audit`: newest first, only what the caller may read. */
  async list(
    principal: Principal | undefined,
    filter: AuditFilter,
    page: { cursor?: string | undefined; limit?: number | undefined },
  ): Promise<AuditPage> {
    const caller = requireMember(principal);
    const limit = page.limit ?? 50;
    const visibility = this.visibility(caller);
    const items: AuditEntry[] = [];
    let beforeSeq = parseCursor(page.cursor);
    let scanned = 0;
    while (scanned < MAX_SCAN) {
      const batch = Math.max(limit, SCAN_BATCH);
      const rows = await this.repository.query(this.deps.store.db, caller.org.id, filter, {
        order: 'desc',
        ...(beforeSeq === undefined ? {} : { beforeSeq }),
        limit: batch,
      });
      const visible = new Set(await visibility.filter(rows));
      for (const row of rows) {
        if (!visible.has(row)) continue;
        items.push(parseEntry(row));
        if (items.length === limit) return { items, nextCursor: String(row.seq) };
      }
      if (rows.length < batch) return { items, nextCursor: null };
      beforeSeq = rows[rows.length - 1]!.seq;
      scanned += rows.length;
    }
    return { items, nextCursor: beforeSeq === undefined ? null : String(beforeSeq) };
  }

  /** Streams rows matching `filter` in seq order, visible to the caller, up to `uptoSeq`. */
  private async *visibleRows(
    caller: Principal,
    orgId: string,
    filter: AuditFilter,
    range: { afterSeq?: number | undefined; uptoSeq?: number | undefined },
    visibility = this.visibility(caller),
  ): AsyncGenerator<StoredEntryRow> {
    let afterSeq = range.afterSeq ?? 0;
    for (;;) {
      const rows = await this.repository.query(this.deps.store.db, orgId, filter, {
        order: 'asc',
        afterSeq,
        ...(range.uptoSeq === undefined ? {} : { uptoSeq: range.uptoSeq }),
        limit: EXPORT_PAGE,
      });
      for (const row of await visibility.filter(rows)) yield row;
      if (rows.length < EXPORT_PAGE) return;
      afterSeq = rows[rows.length - 1]!.seq;
    }
  }

  /**
   * `GET /api/v1/audit/export`: oldest first, up to a checkpoint signed for it, or up to the stored
   * checkpoint of `checkpointSize` (so that an export, its checkpoint and its proofs can be fetched
   * apart and still match). A complete export (no filter, a caller who reads the whole log) is the
   * stored entries, one per line; anything else is a filtered export whose NDJSON lines are
   * `{entry, proof}` with each entry's inclusion proof against that checkpoint. CSV never carries
   * proofs.
   */
  async export(
    principal: Principal | undefined,
    filter: AuditFilter,
    format: 'ndjson' | 'csv',
    checkpointSize?: number,
  ): Promise<AuditExport> {
    const caller = requireMember(principal);
    const visibility = this.visibility(caller);
    const size =
      checkpointSize === undefined
        ? ((await this.signedForExport(caller.org))?.size ?? 0)
        : await this.storedCheckpointSize(caller.org, checkpointSize);
    const withProofs = format === 'ndjson' && (hasFilter(filter) || !(await visibility.readsAll()));
    const rows = this.visibleRows(caller, caller.org.id, filter, { uptoSeq: size }, visibility);
    const read = withProofs ? await this.leaves.reader(this.deps.store.db, caller.org.id, size) : undefined;
    async function* chunks(): AsyncGenerator<string> {
      if (format === 'csv') {
        yield csvHeader();
        for await (const row of rows) yield csvRecord(parseEntry(row));
        return;
      }
      for await (const row of rows) {
        if (!read) {
          yield `${row.body}\n`;
          continue;
        }
        const proof = inclusionProof(row.seq - 1, size, read).map((hash) => bytesToBase64(hash));
        yield `{"entry":${row.body},"proof":${JSON.stringify({ leafIndex: row.seq - 1, treeSize: size, proof })}}\n`;
      }
    }
    return {
      contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      checkpointSize: size,
      withProofs,
      chunks: chunks(),
    };
  }

  /** A checkpoint signed now, or the last good one when the log no longer extends it. */
  private signedForExport(org: OrgRef): Promise<CheckpointRow | undefined> {
    return this.checkpoints.signNow(org).catch(async (error: unknown) => {
      // A log that no longer extends its last checkpoint is not signed again; the evidence can still be
      // exported up to the last good checkpoint.
      if (!(error instanceof FlagwardError) || error.code !== 'conflict') throw error;
      const latest = await this.repository.latestCheckpoint(this.deps.store.db, org.id);
      if (!latest) throw error;
      return latest;
    });
  }

  private async storedCheckpointSize(org: OrgRef, size: number): Promise<number> {
    const row = await this.repository.checkpointOfSize(this.deps.store.db, org.id, size);
    if (!row) throw new FlagwardError('not-found', `no checkpoint of size ${size}`);
    return row.size;
  }

  /** `GET /api/v1/audit/timeline`: applied changes in a project (or one environment), oldest first. */
  async timeline(principal: Principal | undefined, query: TimelineQuery): Promise<AuditPage> {
    const caller = requireMember(principal);
    const requirements: Requirement[] = [
      { action: 'CanAccessProject', resource: `project/${query.project}` },
    ];
    if (query.environment !== undefined) {
      requirements.push({
        action: 'CanAccessEnv',
        resource: `project/${query.project}:env/${query.environment}`,
      });
    }
    await authorizeRead(this.deps.authorizer, this.deps.store.db, caller, requirements);
    const limit = query.limit ?? 200;
    const filter: AuditFilter = {
      project: query.project,
      environment: query.environment,
      since: query.since,
      until: query.until,
      outcome: 'applied',
    };
    const items: AuditEntry[] = [];
    for await (const row of this.visibleRows(caller, caller.org.id, filter, {
      afterSeq: parseCursor(query.cursor),
    })) {
      items.push(parseEntry(row));
      if (items.length === limit) return { items, nextCursor: String(row.seq) };
    }
    return { items, nextCursor: null };
  }

  /** The default tree size of a proof for `seq`: the latest checkpoint when it covers it, else the log. */
  private async treeSize(orgId: string, seq: number, size: number | undefined): Promise<number> {
    const db = this.deps.store.db;
    const head = await this.repository.head(db, orgId);
    const logSize = head?.seq ?? 0;
    if (size !== undefined) {
      if (size > logSize) {
        throw FlagwardError.validation([{ path: 'size', message: `the log holds ${logSize} entries` }]);
      }
      return size;
    }
    const latest = await this.repository.latestCheckpoint(db, orgId);
    return latest && latest.size >= seq ? latest.size : logSize;
  }

  /** `GET /api/v1/audit/proof/inclusion`: RFC 9162 inclusion proof of entry `seq` (one the caller may read). */
  async inclusion(principal: Principal | undefined, seq: number, size?: number): Promise<InclusionProofView> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const entry = await this.repository.entryBySeq(db, caller.org.id, seq);
    if (!entry) throw new FlagwardError('not-found', `no audit entry ${seq}`);
    if (!(await this.visibility(caller).allows(entry))) {
      throw new FlagwardError('forbidden', `not allowed to read audit entry ${seq}`);
    }
    const treeSize = await this.treeSize(caller.org.id, seq, size);
    if (seq > treeSize) {
      throw FlagwardError.validation([{ path: 'size', message: `must be at least seq (${seq})` }]);
    }
    const read = await this.leaves.reader(db, caller.org.id, treeSize);
    const leaves = Array.from({ length: treeSize }, (_, index) => read(index));
    return {
      leafIndex: seq - 1,
      treeSize,
      leafHash: bytesToBase64(read(seq - 1)),
      proof: inclusionProof(seq - 1, treeSize, read).map((hash) => bytesToBase64(hash)),
      root: bytesToBase64(rootOfLeaves(leaves)),
    };
  }

  /** `GET /api/v1/audit/proof/consistency`: RFC 9162 consistency proof between two tree sizes. */
  async consistency(
    principal: Principal | undefined,
    from: number,
    to: number,
  ): Promise<ConsistencyProofView> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    if (from > to) throw FlagwardError.validation([{ path: 'from', message: 'must not exceed to' }]);
    const logSize = (await this.repository.head(db, caller.org.id))?.seq ?? 0;
    if (to > logSize) {
      throw FlagwardError.validation([{ path: 'to', message: `the log holds ${logSize} entries` }]);
    }
    const read = await this.leaves.reader(db, caller.org.id, to);
    const rootOf = (size: number) =>
      bytesToBase64(rootOfLeaves(Array.from({ length: size }, (_, index) => read(index))));
    return {
      from,
      to,
      proof: consistencyProof(from, to, read).map((hash) => bytesToBase64(hash)),
      fromRoot: rootOf(from),
      toRoot: rootOf(to),
    };
  }

  /** `GET /api/v1/audit/verify` (needs ReadAuditLog on org). */
  async verify(principal: Principal | undefined): Promise<AuditVerifyResult> {
    const caller = requireMember(principal);
    await authorizeRead(this.deps.authorizer, this.deps.store.db, caller, [
      { action: 'ReadAuditLog', resource: 'org' },
    ]);
    return this.verifyLog(caller.org);
  }

  /**
   * Recomputes the organization's chain and tree from the stored bodies (in pages, in seq order),
   * compares them with the log head, and checks every stored checkpoint: its signature with the
   * configured key, its origin, and the root of the tree at its size. Reports the first problem.
   * A large log is read and hashed by worker threads (`parallelism`, default `verifyParallelism()`),
   * with the same result.
   */
  async verifyLog(
    org: OrgRef,
    onProgress?: VerifyProgress,
    parallelism?: Partial<VerifyParallelism>,
  ): Promise<AuditVerifyResult> {
    const db = this.deps.store.db;
    const head = await this.repository.head(db, org.id);
    if (!head) throw new FlagwardError('not-found', `organization ${org.key} has no audit log`);
    const checkpoints = await this.repository.checkpoints(db, org.id);
    const verifier = new AuditChainVerifier({ checkpointSizes: checkpoints.map((c) => c.size) });
    onProgress?.(0, head.seq);
    await feedStoredLog(
      verifier,
      {
        db,
        repository: this.repository,
        orgId: org.id,
        size: head.seq,
        source: storedLogSource(this.deps.config),
      },
      verifyParallelism(parallelism),
      (checked) => onProgress?.(checked, head.seq),
    );
    onProgress?.(verifier.size, head.seq);
    return storedLogVerdict(verifier, { org, head, checkpoints, publicKey: this.checkpoints.publicKey });
  }
}
