import { FlagwardError, HASH_SIZE, type LeafHashReader } from '@flagward/core';
import type { Executor } from '../db/database';
import type { AuditRepository } from './audit.repository';

const PAGE = 20_000;

interface OrgLeaves {
  buffer: Buffer;
  size: number;
}

/**
 * The leaf hashes (the `hash` column, in seq order) that proofs and consistency checks read, kept in
 * memory per organization (32 bytes per entry) and loaded incrementally: entries never change, so
 * what has been read once is read from memory afterwards.
 */
export class LeafHashCache {
  private readonly byOrg = new Map<string, OrgLeaves>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(private readonly repository: AuditRepository) {}

  /** A reader of the first `size` leaf hashes of the organization's log. */
  async reader(executor: Executor, orgId: string, size: number): Promise<LeafHashReader> {
    const previous = this.loading.get(orgId) ?? Promise.resolve();
    const current = previous.then(() => this.load(executor, orgId, size));
    this.loading.set(
      orgId,
      current.catch(() => undefined),
    );
    await current;
    const leaves = this.byOrg.get(orgId)!;
    return (index: number) => {
      if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
        throw new RangeError(`leaf ${index} is outside the tree of size ${size}`);
      }
      return leaves.buffer.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
    };
  }

  private async load(executor: Executor, orgId: string, size: number): Promise<void> {
    let leaves = this.byOrg.get(orgId);
    if (!leaves) {
      leaves = { buffer: Buffer.allocUnsafe(Math.max(1024, size) * HASH_SIZE), size: 0 };
      this.byOrg.set(orgId, leaves);
    }
    while (leaves.size < size) {
      const rows = await this.repository.leafHashes(executor, orgId, leaves.size, size, PAGE);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (row.seq !== leaves.size + 1) {
          throw new FlagwardError(
            'conflict',
            `the audit log has no entry at seq ${leaves.size + 1}; run audit verify to see what is wrong`,
          );
        }
        if ((leaves.size + 1) * HASH_SIZE > leaves.buffer.length) {
          const grown = Buffer.allocUnsafe(Math.max(leaves.buffer.length * 2, size * HASH_SIZE));
          leaves.buffer.copy(grown, 0, 0, leaves.size * HASH_SIZE);
          leaves.buffer = grown;
        }
        leaves.buffer.write(row.hash, leaves.size * HASH_SIZE, HASH_SIZE, 'hex');
        leaves.size += 1;
      }
    }
    if (leaves.size < size) {
      throw new FlagwardError(
        'conflict',
        `the audit log ends at seq ${leaves.size} but its head says ${size}; run audit verify to see what is wrong`,
      );
    }
  }
}
