import { hashSecret } from '../security/secrets';
import type { VariableRow } from './variable.repository';

export const MASKED_VALUE = '••••••';

export interface VariableView {
  key: string;
  value: string;
  secret: boolean;
  updatedAt: string;
}

/** What the audit log keeps of a variable: its value, or only a hash of it when it is secret. */
export type VariableRecord =
  | { key: string; secret: false; value: string }
  | { key: string; secret: true; valueSha256: string };

export function variableView(row: VariableRow): VariableView {
  const secret = row.secret === 1;
  return { key: row.key, value: secret ? MASKED_VALUE : row.value, secret, updatedAt: row.updated_at };
}

export function variableRecord(key: string, value: string, secret: boolean): VariableRecord {
  return secret ? { key, secret, valueSha256: hashSecret(value) } : { key, secret, value };
}

/** The resource name of a variable. */
export function variableRn(project: string, env: string, key: string): string {
  return `project/${project}:env/${env}:var/${key}`;
}
