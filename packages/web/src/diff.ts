/** One difference between the `before` and `after` of an audit entry. */
export interface DiffLine {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isPlain(a) && isPlain(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => same(a[k], b[k]));
  }
  return false;
}

function join(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key)
    ? path === ''
      ? key
      : `${path}.${key}`
    : `${path}[${JSON.stringify(key)}]`;
}

/** Arrays whose elements all carry a distinct string `id` (rules, variations) are matched by id. */
function idsOf(items: unknown[]): string[] | undefined {
  const ids = items.map((item) => (isPlain(item) && typeof item.id === 'string' ? item.id : undefined));
  if (ids.some((id) => id === undefined)) return undefined;
  return new Set(ids).size === ids.length ? (ids as string[]) : undefined;
}

function diffArrays(path: string, before: unknown[], after: unknown[], out: DiffLine[]): void {
  const beforeIds = idsOf(before);
  const afterIds = idsOf(after);
  if (beforeIds && afterIds && (before.length > 0 || after.length > 0)) {
    for (const [i, id] of beforeIds.entries()) {
      const j = afterIds.indexOf(id);
      if (j < 0) out.push({ path: `${path}[id=${id}]`, kind: 'removed', before: before[i] });
      else walk(`${path}[id=${id}]`, before[i], after[j], out);
    }
    for (const [j, id] of afterIds.entries()) {
      if (!beforeIds.includes(id)) out.push({ path: `${path}[id=${id}]`, kind: 'added', after: after[j] });
    }
    const order = afterIds.filter((id) => beforeIds.includes(id));
    const previous = beforeIds.filter((id) => afterIds.includes(id));
    if (!same(order, previous))
      out.push({ path: `${path} (order)`, kind: 'changed', before: previous, after: order });
    return;
  }
  const scalars = [...before, ...after].every((x) => !isPlain(x) && !Array.isArray(x));
  if (scalars) {
    const removed = before.filter((x) => !after.some((y) => same(x, y)));
    const added = after.filter((x) => !before.some((y) => same(x, y)));
    if (removed.length > 0) out.push({ path, kind: 'removed', before: removed });
    if (added.length > 0) out.push({ path, kind: 'added', after: added });
    if (removed.length === 0 && added.length === 0 && !same(before, after)) {
      out.push({ path, kind: 'changed', before, after });
    }
    return;
  }
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    if (i >= after.length) out.push({ path: `${path}[${i}]`, kind: 'removed', before: before[i] });
    else if (i >= before.length) out.push({ path: `${path}[${i}]`, kind: 'added', after: after[i] });
    else walk(`${path}[${i}]`, before[i], after[i], out);
  }
}

function walk(path: string, before: unknown, after: unknown, out: DiffLine[]): void {
  if (same(before, after)) return;
  if (before === undefined) {
    out.push({ path: path || '(whole)', kind: 'added', after });
  } else if (after === undefined) {
    out.push({ path: path || '(whole)', kind: 'removed', before });
  } else if (isPlain(before) && isPlain(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      walk(join(path, key), before[key], after[key], out);
    }
  } else if (Array.isArray(before) && Array.isArray(after)) {
    diffArrays(path, before, after, out);
  } else {
    out.push({ path: path || '(whole)', kind: 'changed', before, after });
  }
}

/**
 * The differences between two JSON documents, one line per changed leaf: objects are compared key by
 * key, arrays of records with ids by id (so a reordered rule reads as an order change), arrays of
 * scalars as sets of added and removed values, other arrays position by position.
 */
export function diffJson(before: unknown, after: unknown): DiffLine[] {
  const out: DiffLine[] = [];
  walk('', before, after, out);
  return out;
}

/** A value as a short line of JSON (`undefined` shows as `—`). */
export function formatValue(value: unknown, max = 200): string {
  if (value === undefined) return '—';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
