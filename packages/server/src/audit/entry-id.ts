import { randomFillSync } from 'node:crypto';

// One call into the CSPRNG per 409 ids instead of one per id: the call, not the bytes, is what costs.
const POOL_BYTES = 4096;
const RANDOM_BYTES_PER_ID = 10;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * A UUID version 7 (RFC 9562 §5.7): 48 bits of Unix time in milliseconds, then random bits. Entries
 * appended together get ids next to each other, so the unique index on `id` grows at its end instead
 * of at random places: fewer pages written per commit than with random (version 4) ids.
 */
export function timeOrderedUuid(now: Date): string {
  if (poolOffset + RANDOM_BYTES_PER_ID > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const r = poolOffset;
  poolOffset += RANDOM_BYTES_PER_ID;
  const ms = now.getTime();
  const high = Math.floor(ms / 2 ** 16);
  const time = `${HEX[(high >>> 24) & 0xff]}${HEX[(high >>> 16) & 0xff]}${HEX[(high >>> 8) & 0xff]}${HEX[high & 0xff]}-${HEX[(ms >>> 8) & 0xff]}${HEX[ms & 0xff]}`;
  const version = `${HEX[(pool[r]! & 0x0f) | 0x70]}${HEX[pool[r + 1]!]}`;
  const variant = `${HEX[(pool[r + 2]! & 0x3f) | 0x80]}${HEX[pool[r + 3]!]}`;
  let node = '';
  for (let i = r + 4; i < r + RANDOM_BYTES_PER_ID; i++) node += HEX[pool[i]!];
  return `${time}-${version}-${variant}-${node}`;
}
