import type { AuditEntry } from './audit.types';

/** The columns of a CSV export, in order. */
export const CSV_COLUMNS = [
  'seq',
  'id',
  'at',
  'actor',
  'actorId',
  'onBehalfOf',
  'token',
  'actions',
  'resource',
  'project',
  'environment',
  'flag',
  'summary',
  'outcome',
  'reason',
  'comment',
  'requestId',
  'ip',
  'prevHash',
  'hash',
] as const;

/** One RFC 4180 field: quoted when it holds a comma, quote or line break; formulas are defused. */
function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  // A spreadsheet would run a cell starting with = + - @ as a formula (CSV injection).
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/** One entry as a CSV record (CRLF-terminated). */
export function csvRecord(entry: AuditEntry): string {
  const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    seq: entry.seq,
    id: entry.id,
    at: entry.at,
    actor: entry.actor.email ?? entry.actor.type,
    actorId: entry.actor.id,
    onBehalfOf: entry.actor.onBehalfOf?.email,
    token: entry.actor.token?.name,
    actions: entry.actions.join(' '),
    resource: entry.resource,
    project: entry.project,
    environment: entry.environment,
    flag: entry.flag,
    summary: entry.summary,
    outcome: entry.outcome,
    reason: entry.reason,
    comment: entry.comment,
    requestId: entry.requestId,
    ip: entry.ip,
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
  return `${CSV_COLUMNS.map((column) => csvField(values[column])).join(',')}\r\n`;
}
