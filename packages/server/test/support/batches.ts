import { expect } from 'vitest';
import type { CommitBatcher } from '../../src/audit/commit.batcher';

/**
 * Starts `requests` so that the changes they make form one batch: they queue behind a change that
 * holds the batcher until every one of them has reached it (each must reach it before its promise is
 * returned). Checks that they took one transaction, plus `laterBatches` (e.g. for recorded refusals).
 */
export async function inOneBatch<T>(
  commits: CommitBatcher,
  requests: Array<() => Promise<T>>,
  laterBatches = 0,
): Promise<PromiseSettledResult<T>[]> {
  let release!: () => void;
  let started!: () => void;
  const blocking = new Promise<void>((resolve) => (started = resolve));
  const blocker = commits.run(
    () =>
      new Promise<void>((resolve) => {
        release = resolve;
        started();
      }),
  );
  await blocking;
  const before = commits.stats().batches;
  const results = Promise.allSettled(requests.map((request) => request()));
  expect(commits.stats().queued).toBe(requests.length);
  release();
  await blocker;
  const settled = await results;
  // The blocker's and theirs (and those that record refusals).
  expect(commits.stats().batches - before).toBe(2 + laterBatches);
  return settled;
}
