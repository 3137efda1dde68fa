import fs from 'node:fs';

/** A byte range of an NDJSON file that starts at a line start and ends after a `\n` (or at the end). */
export interface ByteRange {
  start: number;
  end: number;
}

const NEWLINE = 0x0a;
const PROBE = 64 * 1024;

/**
 * Cuts a file into ranges of about `bytesPerRange` bytes, each cut right after a `\n`, so every line
 * lies in exactly one range and a `\r\n` is never split (a `\n` byte never occurs inside a UTF-8
 * sequence, so each range also decodes on its own exactly as the whole file does).
 */
export function splitAtLines(file: string, bytesPerRange: number): ByteRange[] {
  const size = fs.statSync(file).size;
  const ranges: ByteRange[] = [];
  const fd = fs.openSync(file, 'r');
  try {
    const probe = Buffer.allocUnsafe(PROBE);
    let start = 0;
    while (start < size) {
      let end = Math.min(size, start + Math.max(1, bytesPerRange));
      // Move the cut forward to just after the next newline at or after end - 1.
      for (let at = end - 1; end < size; ) {
        const read = fs.readSync(fd, probe, 0, PROBE, at);
        if (read === 0) {
          end = size;
          break;
        }
        const index = probe.subarray(0, read).indexOf(NEWLINE);
        if (index >= 0) {
          end = at + index + 1;
          break;
        }
        at += read;
        if (at >= size) end = size;
      }
      ranges.push({ start, end });
      start = end;
    }
  } finally {
    fs.closeSync(fd);
  }
  return ranges;
}

// Line terminators as node:readline splits them (with crlfDelay: Infinity): \r\n, \n or a lone \r.
const LINE_BREAK = /\r\n|\n|\r/;

/** The bytes of one range (fewer if the file is shorter now). */
export function readRange(file: string, range: ByteRange): Buffer {
  const bytes = Buffer.allocUnsafe(range.end - range.start);
  const fd = fs.openSync(file, 'r');
  try {
    let filled = 0;
    while (filled < bytes.length) {
      const read = fs.readSync(fd, bytes, filled, bytes.length - filled, range.start + filled);
      if (read === 0) break;
      filled += read;
    }
    return bytes.subarray(0, filled);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The non-blank lines of one range, as `readline` over the whole file yields them (and as the offline
 * verifier's loop keeps them: blank and whitespace-only lines are skipped).
 */
export function readLines(file: string, range: ByteRange): string[] {
  return readRange(file, range)
    .toString('utf8')
    .split(LINE_BREAK)
    .filter((line) => line.trim() !== '');
}

const CR = 0x0d;

/**
 * The lines of a range's bytes that are not empty, cut at each `\n` with one `\r` before it dropped:
 * as long as each holds an entry (no `\r` or whitespace in it: a canonical entry has none), they are
 * exactly the first lines {@link readLines} yields, in order. The prover stops at the first line that
 * is not a provable entry, and the main thread reads the rest with readLines.
 */
export function entryLines(bytes: Buffer): { bytes: Buffer; starts: number[]; ends: number[] } {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(NEWLINE, start);
    const next = end < 0 ? bytes.length : end + 1;
    if (end < 0) end = bytes.length;
    if (end > start && bytes[end - 1] === CR) end -= 1;
    if (end > start) {
      starts.push(start);
      ends.push(end);
    }
    start = next;
  }
  return { bytes, starts, ends };
}
