import { describe, expect, it } from 'vitest';
import { timeOrderedUuid } from './entry-id';

describe('audit entry ids', () => {
  it('are version 7 UUIDs carrying their millisecond in the first 48 bits', () => {
    const at = new Date('2026-12-03T12:00:00.123Z');
    const id = timeOrderedUuid(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at.getTime());
  });

  it('sort by time and never repeat', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => timeOrderedUuid(new Date(1_700_000_000_000 + i)));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const sameMillisecond = Array.from({ length: 10_000 }, () =>
      timeOrderedUuid(new Date(1_700_000_000_000)),
    );
    expect(new Set(sameMillisecond).size).toBe(sameMillisecond.length);
  });
});
