/**
 * The tree size a signed checkpoint note is for (the second line of its body), if it names one. Not
 * core's parseCheckpoint: core's audit module needs node:crypto and stays out of the console's bundle
 * (core.browser.ts); the server verifies notes, the console only names the size to download.
 */
export function checkpointSize(note: string): number | undefined {
  const size = Number(note.split('\n')[1]);
  return Number.isSafeInteger(size) && size > 0 ? size : undefined;
}

/**
 * What a reviewer takes away to verify the log (or the entries matching `filters`) without the server:
 * an export up to the signed checkpoint `note`, that checkpoint and the verifier key. The export names
 * the checkpoint's size, so the three always match, however much the log has grown since.
 */
export function EvidenceDownloads({
  note,
  filters = {},
}: {
  note: string | undefined;
  filters?: Partial<Record<string, string>>;
}) {
  const size = note === undefined ? undefined : checkpointSize(note);
  if (size === undefined) {
    return <p className="muted small">Exports are offered once a checkpoint has been signed.</p>;
  }
  const applied = Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1]));
  const exported = (format: 'ndjson' | 'csv') =>
    `/api/v1/audit/export?${new URLSearchParams([...applied, ['format', format], ['size', String(size)]])}`;
  const filtered = applied.length > 0;
  return (
    <div>
      <div className="toolbar">
        <a className="button" href={exported('ndjson')} download={`audit-${size}.ndjson`}>
          Export NDJSON
        </a>
        <a className="button" href={exported('csv')} download={`audit-${size}.csv`}>
          Export CSV
        </a>
        <a
          className="button"
          href={`/api/v1/audit/checkpoint?size=${size}`}
          download={`checkpoint-${size}.txt`}
        >
          Checkpoint
        </a>
        <a className="button" href="/api/v1/audit/public-key" download="vkey.txt">
          Verifier key
        </a>
      </div>
      <p className="muted small">
        {filtered
          ? `The entries matching the filters among the first ${size}, those you may read, each with its inclusion proof (NDJSON).`
          : `The log up to its checkpoint of ${size} entries (only the entries you may read, with their inclusion proofs, if you may not read all).`}{' '}
        Verify offline:{' '}
        <code>
          flagward audit verify --file audit-{size}.ndjson --checkpoint checkpoint-{size}.txt --key vkey.txt
        </code>
      </p>
    </div>
  );
}
