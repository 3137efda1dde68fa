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

/**
 * The non-blank lines of one range, as `readline` over the whole file yields them (and as the offline
 * verifier's loop keeps them: blank and whitespace-only lines are skipped).
 */
export function readLines(file: string, range: ByteRange): string[] {
  const bytes = Buffer.allocUnsafe(range.end - range.start);
  const fd = fs.openSync(file, 'r');
  try {
    let filled = 0;
    while (filled < bytes.length) {
      const read = fs.readSync(fd, bytes, filled, bytes.length - filled, range.start + filled);
      if (read === 0) break;
      filled += read;
    }
    return bytes
      .toString('utf8', 0, filled)
      .split(LINE_BREAK)
      .filter((line) => line.trim() !== '');
  } finally {
    fs.closeSync(fd);
  }
}
