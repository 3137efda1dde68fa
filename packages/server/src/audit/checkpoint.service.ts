import {
  base64ToBytes,
  bytesEqual,
  bytesToBase64,
  consistencyProof,
  FlagwardError,
  rootOfLeaves,
  verifyConsistency,
} from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import { authorizeRead, requireMember } from '../governance/access';
import type { OrgRef, Principal } from '../governance/principal';
import type { AuditRepository, CheckpointRow } from './audit.repository';
import { type AuditSigner, auditOrigin } from './audit.signer';
import type { LeafHashCache } from './leaf-hash.cache';

/** When the background job signs: after this many new entries, or this long after the last one. */
export interface CheckpointSchedule {
  everyEntries: number;
  everyMs: number;
  /** How often the job looks at the logs. */
  pollMs: number;
}

export const DEFAULT_CHECKPOINT_SCHEDULE: CheckpointSchedule = {
  everyEntries: 1000,
  everyMs: 60_000,
  pollMs: 1000,
};

/**
 * Signed checkpoints of each organization's log (C2SP signed notes over the RFC 6962 root). A new
 * checkpoint is signed only after proving the current tree consistent with the previous checkpoint.
 * Signing changes nothing the log records, so it is not a governed change (ADR 0007): writing an
 * entry for it would make every checkpoint stale the moment it is signed.
 */
export class CheckpointService {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly repository: AuditRepository,
    private readonly signer: AuditSigner,
    private readonly leaves: LeafHashCache,
  ) {}

  /** The published verifier key (C2SP vkey). */
  get publicKey(): string {
    return this.signer.vkey;
  }

  /**
   * Signs a checkpoint of the organization's current tree unless the latest checkpoint already covers
   * it; returns the latest checkpoint (undefined only for an empty log). Refuses (conflict) when the
   * current tree is not an extension of the previous checkpoint's.
   */
  async signNow(org: OrgRef): Promise<CheckpointRow | undefined> {
    const db = this.deps.store.db;
    const head = await this.repository.head(db, org.id);
    if (!head) throw new FlagwardError('not-found', `organization ${org.key} has no audit log`);
    const latest = await this.repository.latestCheckpoint(db, org.id);
    if (head.seq === 0 || (latest && latest.size >= head.seq)) return latest;
    const root = head.frontier.root();
    const read = await this.leaves.reader(db, org.id, head.seq);
    if (latest) {
      const proof = consistencyProof(latest.size, head.seq, read);
      const consistent = verifyConsistency({
        from: latest.size,
        to: head.seq,
        fromRoot: base64ToBytes(latest.root),
        toRoot: root,
        proof,
      });
      if (!consistent) {
        throw new FlagwardError(
          'conflict',
          `the log of ${org.key} (size ${head.seq}) is not consistent with its checkpoint of size ${latest.size}: refusing to sign; run audit verify`,
        );
      }
    } else {
      const leaves = Array.from({ length: head.seq }, (_, index) => read(index));
      if (!bytesEqual(rootOfLeaves(leaves), root)) {
        throw new FlagwardError(
          'conflict',
          `the entries of ${org.key} do not have the root of the log head: refusing to sign; run audit verify`,
        );
      }
    }
    const row: CheckpointRow = {
      org_id: org.id,
      size: head.seq,
      root: bytesToBase64(root),
      note: this.signer.sign({ origin: auditOrigin(org.key), size: head.seq, rootHash: root }),
      signed_at: this.deps.clock().toISOString(),
    };
    try {
      await this.repository.insertCheckpoint(db, row);
    } catch (error) {
      // Another process signed the same size at the same moment: its checkpoint is as good as ours.
      const existing = await this.repository.checkpointOfSize(db, org.id, head.seq);
      if (existing) return existing;
      throw error;
    }
    return row;
  }

  /** `POST /api/v1/audit/checkpoint`: signs now (needs ReadAuditLog on org). */
  async sign(principal: Principal | undefined): Promise<string> {
    const caller = requireMember(principal);
    await authorizeRead(this.deps.authorizer, this.deps.store.db, caller, [
      { action: 'ReadAuditLog', resource: 'org' },
    ]);
    const row = await this.signNow(caller.org);
    if (!row) throw new FlagwardError('not-found', 'the audit log is empty');
    return row.note;
  }

  /** The latest signed checkpoint of the caller's organization, or the one of a given size. */
  async note(principal: Principal | undefined, size?: number): Promise<string> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const row =
      size === undefined
        ? await this.repository.latestCheckpoint(db, caller.org.id)
        : await this.repository.checkpointOfSize(db, caller.org.id, size);
    if (!row) {
      throw new FlagwardError(
        'not-found',
        size === undefined ? 'no checkpoint has been signed yet' : `no checkpoint of size ${size}`,
      );
    }
    return row.note;
  }

  /** Signs, for every organization, when its log grew by `everyEntries` or `everyMs` passed. */
  async tick(schedule: CheckpointSchedule = DEFAULT_CHECKPOINT_SCHEDULE): Promise<number> {
    const db = this.deps.store.db;
    const now = this.deps.clock().getTime();
    let signed = 0;
    for (const org of await this.repository.logs(db)) {
      const head = await this.repository.head(db, org.id);
      if (!head || head.seq === 0) continue;
      const latest = await this.repository.latestCheckpoint(db, org.id);
      const grewBy = head.seq - (latest?.size ?? 0);
      if (grewBy <= 0) continue;
      const due =
        latest === undefined ||
        grewBy >= schedule.everyEntries ||
        now - Date.parse(latest.signed_at) >= schedule.everyMs;
      if (!due) continue;
      const row = await this.signNow(org);
      if (row && row.size > (latest?.size ?? 0)) signed += 1;
    }
    return signed;
  }

  /** Starts the background signer (stopped by {@link stop}). */
  start(schedule: CheckpointSchedule = DEFAULT_CHECKPOINT_SCHEDULE): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.ticking) return;
      this.ticking = this.tick(schedule)
        .then(() => undefined)
        .catch(() => undefined)
        .finally(() => {
          this.ticking = undefined;
        });
    }, schedule.pollMs);
    this.timer.unref();
  }

  /** Stops the background signer and waits for a signing in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }
}
