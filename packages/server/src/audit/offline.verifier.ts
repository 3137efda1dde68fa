import fs from 'node:fs';
import readline from 'node:readline';
import {
  AuditChainVerifier,
  type Checkpoint,
  EntryProofVerifier,
  FlagwardError,
  parseVerifierKey,
  verifyCheckpoint,
} from '@flagward/core';
import { auditOrigin } from './audit.signer';
import { readLines, splitAtLines } from './ndjson.chunks';
import {
  feedInParallel,
  jobSize,
  type VerificationTask,
  type VerifyParallelism,
  verifyParallelism,
} from './parallel.verifier';
import { exitCodeOf } from './verification.codes';

/** The files an offline verification reads; nothing else (no server, no database). */
export interface OfflineInputs {
  /** An NDJSON export: complete entries, or `{entry, proof}` lines of a filtered export. */
  file: string;
  /** The signed checkpoint note (e.g. from `GET /api/v1/audit/checkpoint`). */
  checkpoint: string;
  /** The verifier key (e.g. from `GET /api/v1/audit/public-key`). */
  key: string;
}

export interface OfflineResult {
  ok: boolean;
  exitCode: number;
  /** `complete` (chain and tree) or `filtered` (each entry's inclusion proof). */
  mode?: 'complete' | 'filtered';
  /** Entries verified (all of them when ok). */
  checked: number;
  checkpoint?: { origin: string; size: number };
  root?: string;
  firstBadSeq?: number;
  problem?: string;
  message: string;
}

/** Bytes of a typical stored entry, to size export ranges in entries. */
const TYPICAL_ENTRY_BYTES = 768;

function failure(problem: string, message: string, extra: Partial<OfflineResult> = {}): OfflineResult {
  return { ok: false, exitCode: exitCodeOf(problem), checked: 0, problem, message, ...extra };
}

function readText(path: string, what: string): string | OfflineResult {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (error) {
    return failure('malformed-input', `cannot read the ${what} ${path}: ${(error as Error).message}`);
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return line;
  }
}

function isFilteredLine(value: unknown): boolean {
  return value !== null && typeof value === 'object' && 'entry' in value && 'proof' in value;
}

interface FedExport {
  mode: 'complete' | 'filtered' | undefined;
  chain: AuditChainVerifier | undefined;
  proofs: EntryProofVerifier | undefined;
  /** The `org` of the first entry (what the checkpoint's origin must name). */
  org: unknown;
  count: number;
}

/** Streams the export line by line into the chain verifier (complete) or the proof verifier (filtered). */
async function feedExport(
  file: string,
  checkpoint: Checkpoint,
  onProgress?: (checked: number) => void,
): Promise<FedExport | OfflineResult> {
  const stream = fs.createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let mode: 'complete' | 'filtered' | undefined;
  let chain: AuditChainVerifier | undefined;
  let proofs: EntryProofVerifier | undefined;
  let org: unknown;
  let count = 0;
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      if (mode === 'complete' && org !== undefined) {
        // The bulk of a complete export: the same as push(parseLine(line)), without parsing canonical lines.
        if (!chain!.pushText(line)) break;
        count += 1;
        if (count % 10_000 === 0) onProgress?.(count);
        continue;
      }
      const item = parseLine(line);
      if (mode === undefined) {
        mode = isFilteredLine(item) ? 'filtered' : 'complete';
        if (mode === 'filtered') proofs = new EntryProofVerifier(checkpoint);
        else chain = new AuditChainVerifier({ checkpointSizes: [checkpoint.size] });
      }
      if (mode === 'filtered' && !isFilteredLine(item)) {
        return failure(
          'malformed-proof',
          `line ${count + 1} is not {entry, proof} like the lines before it`,
          {
            mode,
            checked: count,
          },
        );
      }
      const entry = mode === 'filtered' ? (item as { entry: unknown }).entry : item;
      if (org === undefined && entry !== null && typeof entry === 'object')
        org = (entry as { org?: unknown }).org;
      const accepted = mode === 'filtered' ? proofs!.push(item) : chain!.push(item);
      if (!accepted) break;
      count += 1;
      if (count % 10_000 === 0) onProgress?.(count);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  onProgress?.(count);
  return { mode, chain, proofs, org, count };
}

/** The first non-blank line of a file, as readline yields it. */
async function firstLine(file: string): Promise<string | undefined> {
  const stream = fs.createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) if (line.trim() !== '') return line;
    return undefined;
  } finally {
    lines.close();
    stream.destroy();
  }
}

/**
 * A large complete export, fed to the chain verifier in byte ranges of its lines, each read and proven
 * by a worker thread (or by the calling thread, with `workers: 0`); undefined (the caller streams it) for a small or filtered export, or one whose first entry
 * names no organization. Every line then goes through what `feedExport` does for all but the first
 * (`pushText`), and the first line's `push(parseLine(line))` is the same check.
 */
async function feedCompleteExportInParallel(
  file: string,
  checkpoint: Checkpoint,
  parallelism: VerifyParallelism,
  onProgress?: (checked: number) => void,
): Promise<FedExport | undefined> {
  const size = fs.statSync(file).size;
  if (size < Math.max(1, parallelism.minEntries) * TYPICAL_ENTRY_BYTES) {
    return undefined;
  }
  const first = await firstLine(file);
  const item = first === undefined ? undefined : parseLine(first);
  const org = item !== null && typeof item === 'object' ? (item as { org?: unknown }).org : undefined;
  if (org === undefined || isFilteredLine(item)) return undefined;
  const bytesPerJob =
    jobSize(Math.ceil(size / TYPICAL_ENTRY_BYTES), parallelism.workers) * TYPICAL_ENTRY_BYTES;
  const chain = new AuditChainVerifier({ checkpointSizes: [checkpoint.size] });
  const cuts = chain.checkpointSizes;
  const tasks: VerificationTask[] = splitAtLines(file, bytesPerJob).map((range) => ({
    job: { kind: 'export', file, range, cuts },
    texts: (skip) => readLines(file, range).slice(skip),
  }));
  await feedInParallel(chain, tasks, parallelism, () => onProgress?.(chain.size));
  onProgress?.(chain.size);
  return { mode: 'complete', chain, proofs: undefined, org, count: chain.size };
}

/**
 * Verifies an export against a signed checkpoint and a verifier key, offline. A complete export
 * (one stored entry per line, from seq 1) is verified as a hash chain and as the RFC 6962 tree whose
 * root at the checkpoint's size must be the signed one; a filtered export (`{entry, proof}` lines) is
 * verified entry by entry with its inclusion proof against the checkpoint. Streams the file, so it
 * handles logs of any size; a large complete export is read in byte ranges and hashed by worker
 * threads (`parallelism`, default `verifyParallelism()`), with the same result. `onProgress` is called with
 * the entries checked so far.
 */
export async function verifyExportOffline(
  inputs: OfflineInputs,
  onProgress?: (checked: number) => void,
  parallelism?: Partial<VerifyParallelism>,
): Promise<OfflineResult> {
  const keyText = readText(inputs.key, 'key file');
  if (typeof keyText !== 'string') return keyText;
  try {
    parseVerifierKey(keyText);
  } catch (error) {
    if (!(error instanceof FlagwardError)) throw error;
    return failure('malformed-key', `the key is not a C2SP verifier key: ${error.message}`);
  }
  const noteText = readText(inputs.checkpoint, 'checkpoint file');
  if (typeof noteText !== 'string') return noteText;
  const signed = verifyCheckpoint(noteText, keyText.trim());
  if (!signed.ok) {
    return failure(signed.failure === 'malformed-note' ? 'malformed-note' : signed.failure, signed.message);
  }
  const checkpoint: Checkpoint = signed.checkpoint;
  const checkpointInfo = { origin: checkpoint.origin, size: checkpoint.size };

  try {
    fs.accessSync(inputs.file, fs.constants.R_OK);
  } catch (error) {
    return failure('malformed-input', `cannot read the export ${inputs.file}: ${(error as Error).message}`);
  }
  const settings = verifyParallelism(parallelism);
  const fed =
    (await feedCompleteExportInParallel(inputs.file, checkpoint, settings, onProgress)) ??
    (await feedExport(inputs.file, checkpoint, onProgress));
  if ('exitCode' in fed) return { ...fed, checkpoint: checkpointInfo };
  const { chain, proofs, org, count } = fed;
  let { mode } = fed;
  mode ??= 'complete';

  if (org !== undefined && auditOrigin(String(org)) !== checkpoint.origin) {
    return failure(
      'checkpoint-mismatch',
      `the checkpoint is for the log ${checkpoint.origin}, the entries are of ${auditOrigin(String(org))}`,
      { mode, checked: count, checkpoint: checkpointInfo },
    );
  }

  if (mode === 'filtered') {
    const result = proofs?.result() ?? { ok: true, checked: 0 };
    if (!result.ok) {
      return {
        ...failure(result.problem ?? 'malformed-proof', result.message ?? 'the export does not verify'),
        mode,
        checked: result.checked,
        checkpoint: checkpointInfo,
        ...(result.firstBadSeq === undefined ? {} : { firstBadSeq: result.firstBadSeq }),
      };
    }
    return {
      ok: true,
      exitCode: 0,
      mode,
      checked: result.checked,
      checkpoint: checkpointInfo,
      message: `${result.checked} entries verified with their inclusion proofs against the checkpoint of size ${checkpoint.size}`,
    };
  }

  const verifier = chain ?? new AuditChainVerifier({ checkpointSizes: [checkpoint.size] });
  verifier.checkCheckpoint({ size: checkpoint.size, rootHash: checkpoint.rootHash });
  const result = verifier.result();
  if (!result.ok) {
    return {
      ...failure(result.problem ?? 'malformed-entry', result.message ?? 'the export does not verify'),
      mode,
      checked: result.size,
      checkpoint: checkpointInfo,
      root: result.root,
      ...(result.firstBadSeq === undefined ? {} : { firstBadSeq: result.firstBadSeq }),
    };
  }
  const beyond = result.size - checkpoint.size;
  return {
    ok: true,
    exitCode: 0,
    mode,
    checked: result.size,
    checkpoint: checkpointInfo,
    root: result.root,
    message: `${result.size} entries verified as a hash chain; the tree of the first ${checkpoint.size} has the signed root${beyond > 0 ? ` (${beyond} later entries are chained but not covered by this checkpoint)` : ''}`,
  };
}
