import type { MemberRow } from './member.repository';

/** A member as every API response shows it (never the password hash). */
export interface MemberView {
  id: string;
  email: string;
  name: string;
  orgRole: 'owner' | 'admin' | 'member';
  disabled: boolean;
  createdAt: string;
}

export function memberView(row: MemberRow): MemberView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    orgRole: row.org_role,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
  };
}
