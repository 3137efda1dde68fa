import { FlagwardError } from '@flagward/core';

/** Where an assignment sorts in lists: by creation time, then id. */
export interface AssignmentPosition {
  createdAt: string;
  id: string;
}

/** The `nextCursor` after this assignment: opaque to clients, its position inside. */
export function assignmentCursor(position: AssignmentPosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`, 'utf8').toString('base64url');
}

const POSITION = /^(\d{4}-\d{2}-\d{2}T[0-9:.]+Z)\|([0-9a-f-]{36})$/;

/** The position a cursor of {@link assignmentCursor} names; a 400 naming `cursor` when it is not one. */
export function parseAssignmentCursor(cursor: string | undefined): AssignmentPosition | undefined {
  if (cursor === undefined) return undefined;
  const match = POSITION.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw FlagwardError.validation([{ path: 'cursor', message: 'not a cursor returned by this endpoint' }]);
  }
  return { createdAt: match[1]!, id: match[2]! };
}

/** List order: creation time, then id (as text, as the databases compare them). */
export function byPosition(a: AssignmentPosition, b: AssignmentPosition): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
