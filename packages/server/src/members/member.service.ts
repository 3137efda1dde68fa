import { randomUUID } from 'node:crypto';
import { FlagwardError } from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { InvitationRepository, SessionRepository } from '../auth/session.repository';
import type { Tx } from '../db/database';
import { pageOf, rowsToFetch } from '../db/keyset.page';
import { requireMember } from '../governance/access';
import type { Requirement } from '../governance/authorizer';
import type { OrgRole, Principal, RequestMeta } from '../governance/principal';
import { hashSecret, newSecret } from '../security/secrets';
import type { MemberRepository, MemberRow } from './member.repository';
import { type MemberView, memberView } from './member.view';

export interface InviteInput {
  email: string;
  name: string;
  orgRole?: 'admin' | 'member' | undefined;
}

export interface MemberPatch {
  orgRole?: 'admin' | 'member' | 'owner' | undefined;
  disabled?: boolean | undefined;
  name?: string | undefined;
}

export interface Invitation {
  member: MemberView;
  invitation: { token: string; expiresAt: string };
}

/** Members of the caller's organization: invitations, role changes, disabling, removal, ownership. */
export class MemberService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly members: MemberRepository,
    private readonly invitations: InvitationRepository,
    private readonly sessions: SessionRepository,
  ) {}

  private async load(tx: Tx, orgId: string, email: string): Promise<MemberRow> {
    const member = await this.members.findByEmail(tx, orgId, email);
    if (!member) throw new FlagwardError('not-found', `no member ${email}`);
    return member;
  }

  /**
   * The directory by email, a page at a time when `limit` is given (`cursor`: the previous page's
   * `nextCursor`, the email of its last member).
   */
  async list(
    principal: Principal | undefined,
    page: { cursor?: string | undefined; limit?: number | undefined } = {},
  ): Promise<{ items: MemberView[]; nextCursor: string | null }> {
    const caller = requireMember(principal);
    const rows = await this.members.list(this.deps.store.db, caller.org.id, {
      after: page.cursor,
      limit: rowsToFetch(page.limit),
    });
    const { items, nextCursor } = pageOf(rows, page.limit, (last) => last.email);
    return { items: items.map(memberView), nextCursor };
  }

  async get(principal: Principal | undefined, email: string): Promise<MemberView> {
    const caller = requireMember(principal);
    const member = await this.members.findByEmail(this.deps.store.db, caller.org.id, email);
    if (!member) throw new FlagwardError('not-found', `no member ${email}`);
    return memberView(member);
  }

  async invite(principal: Principal | undefined, input: InviteInput, meta: RequestMeta): Promise<Invitation> {
    const caller = requireMember(principal);
    const role: OrgRole = input.orgRole ?? 'member';
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        if (await this.members.findByEmail(tx, caller.org.id, input.email)) {
          throw new FlagwardError('conflict', `${input.email} is already a member`);
        }
        const now = this.deps.clock();
        const member: MemberRow = {
          id: randomUUID(),
          org_id: caller.org.id,
          email: input.email,
          name: input.name,
          password_hash: null,
          org_role: role,
          disabled: 0,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        };
        const token = newSecret('fw_inv_');
        const expiresAt = new Date(now.getTime() + this.deps.config.invitationTtlMs).toISOString();
        return {
          requirements: [{ action: 'ManageMembers', resource: 'org' }],
          actions: ['InviteMember'],
          resource: `member/${input.email}`,
          summary: `invited ${input.email} as ${role}`,
          after: memberView(member),
          apply: async (applyTx) => {
            await this.members.insert(applyTx, member);
            await this.invitations.insert(applyTx, {
              id: randomUUID(),
              org_id: caller.org.id,
              member_id: member.id,
              token_hash: hashSecret(token),
              expires_at: expiresAt,
              accepted_at: null,
              created_at: now.toISOString(),
            });
            return { member: memberView(member), invitation: { token, expiresAt } };
          },
        };
      },
    });
  }

  async update(
    principal: Principal | undefined,
    email: string,
    patch: MemberPatch,
    meta: RequestMeta,
  ): Promise<MemberView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const member = await this.load(tx, caller.org.id, email);
        const self = member.id === caller.memberId;
        const next: MemberRow = {
          ...member,
          name: patch.name ?? member.name,
          org_role: patch.orgRole ?? member.org_role,
          disabled: patch.disabled === undefined ? member.disabled : patch.disabled ? 1 : 0,
        };
        const requirements: Requirement[] = [];
        const changes: string[] = [];
        if (next.org_role !== member.org_role) {
          if (self) throw new FlagwardError('forbidden', 'nobody can change their own organization role');
          if (next.org_role === 'owner') {
            throw new FlagwardError('conflict', 'the owner changes only by transferring ownership', {
              errors: [{ path: 'orgRole', message: 'use POST /api/v1/organization/transfer-ownership' }],
            });
          }
          if (member.org_role === 'owner') {
            throw new FlagwardError('conflict', 'the owner cannot be demoted; transfer ownership first');
          }
          requirements.push({ action: 'ManageMembers', resource: 'org' });
          changes.push(`changed role of ${email} from ${member.org_role} to ${next.org_role}`);
        }
        if (next.disabled !== member.disabled) {
          if (member.org_role === 'owner')
            throw new FlagwardError('conflict', 'the owner cannot be disabled; transfer ownership first');
          if (self) throw new FlagwardError('forbidden', 'nobody can disable themselves');
          requirements.push({ action: 'ManageMembers', resource: 'org' });
          changes.push(`${next.disabled ? 'disabled' : 'enabled'} member ${email}`);
        }
        if (next.name !== member.name) {
          if (!self) requirements.push({ action: 'ManageMembers', resource: 'org' });
          changes.push(`renamed member ${email} to "${next.name}"`);
        }
        if (changes.length === 0) {
          const requirements = self ? [] : [{ action: 'ManageMembers', resource: 'org' }];
          return { unchanged: true, result: memberView(member), requirements };
        }
        return {
          requirements,
          actions: ['UpdateMember'],
          resource: `member/${email}`,
          summary: changes.join('; '),
          before: memberView(member),
          after: memberView(next),
          apply: async (applyTx) => {
            await this.members.update(applyTx, member.id, {
              name: next.name,
              org_role: next.org_role,
              disabled: next.disabled,
              updated_at: this.deps.clock().toISOString(),
            });
            if (next.disabled === 1) await this.sessions.deleteForMember(applyTx, member.id);
            return memberView(next);
          },
        };
      },
    });
  }

  async remove(principal: Principal | undefined, email: string, meta: RequestMeta): Promise<void> {
    const caller = requireMember(principal);
    await this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const member = await this.load(tx, caller.org.id, email);
        if (member.org_role === 'owner')
          throw new FlagwardError('conflict', 'the owner cannot be removed; transfer ownership first');
        if (member.id === caller.memberId)
          throw new FlagwardError('forbidden', 'nobody can remove themselves');
        return {
          requirements: [{ action: 'ManageMembers', resource: 'org' }],
          actions: ['RemoveMember'],
          resource: `member/${email}`,
          summary: `removed member ${email}`,
          before: memberView(member),
          apply: (applyTx) => this.members.delete(applyTx, member.id),
        };
      },
    });
  }

  async transferOwnership(
    principal: Principal | undefined,
    email: string,
    meta: RequestMeta,
  ): Promise<MemberView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const target = await this.load(tx, caller.org.id, email);
        const owner = await this.members.findById(tx, caller.memberId);
        if (!owner) throw new FlagwardError('not-found', 'the caller is no longer a member');
        if (target.disabled === 1)
          throw new FlagwardError('conflict', 'ownership cannot go to a disabled member');
        if (target.password_hash === null) {
          throw new FlagwardError(
            'conflict',
            'ownership can only go to a member who has accepted their invitation',
          );
        }
        if (target.id === owner.id && owner.org_role === 'owner')
          return { unchanged: true, result: memberView(owner) };
        return {
          requirements: [{ action: 'TransferOwnership', resource: 'org' }],
          actions: ['TransferOwnership'],
          resource: 'org',
          summary: `transferred ownership from ${owner.email} to ${target.email}`,
          before: { owner: owner.email },
          after: { owner: target.email },
          apply: async (applyTx) => {
            const at = this.deps.clock().toISOString();
            await this.members.setRole(applyTx, owner.id, 'admin', at);
            await this.members.setRole(applyTx, target.id, 'owner', at);
            return memberView({ ...target, org_role: 'owner' });
          },
        };
      },
    });
  }
}
