import { randomUUID } from 'node:crypto';
import { FlagwardError } from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Tx } from '../db/database';
import { requireMember } from '../governance/access';
import type { Principal, RequestMeta } from '../governance/principal';
import type { MemberRepository, MemberRow } from '../members/member.repository';
import type { GroupRepository, GroupRow } from './group.repository';

export interface GroupView {
  key: string;
  name: string;
  members: string[];
  createdAt: string;
}

const MANAGE_GROUPS = [{ action: 'ManageGroups', resource: 'org' }];

/** Groups (teams): named sets of members that policies can be assigned to. */
export class GroupService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly groups: GroupRepository,
    private readonly members: MemberRepository,
  ) {}

  private async load(tx: Tx, orgId: string, key: string): Promise<GroupRow> {
    const group = await this.groups.findByKey(tx, orgId, key);
    if (!group) throw new FlagwardError('not-found', `no group ${key}`);
    return group;
  }

  private async view(tx: Tx | ServiceDeps['store']['db'], group: GroupRow): Promise<GroupView> {
    const ids = await this.groups.memberIds(tx, group.id);
    const emails = (await this.members.findByIds(tx, ids)).map((m) => m.email).sort();
    return { key: group.key, name: group.name, members: emails, createdAt: group.created_at };
  }

  async list(principal: Principal | undefined): Promise<GroupView[]> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const [groups, membersByGroup] = await Promise.all([
      this.groups.list(db, caller.org.id),
      this.groups.membersByGroup(db, caller.org.id),
    ]);
    return groups.map((g) => ({
      key: g.key,
      name: g.name,
      members: membersByGroup.get(g.id) ?? [],
      createdAt: g.created_at,
    }));
  }

  async get(principal: Principal | undefined, key: string): Promise<GroupView> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const group = await this.groups.findByKey(db, caller.org.id, key);
    if (!group) throw new FlagwardError('not-found', `no group ${key}`);
    return this.view(db, group);
  }

  async create(
    principal: Principal | undefined,
    input: { key: string; name: string; members?: string[] | undefined },
    meta: RequestMeta,
  ): Promise<GroupView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        if (await this.groups.findByKey(tx, caller.org.id, input.key)) {
          throw new FlagwardError('conflict', `group ${input.key} already exists`);
        }
        const emails = [...new Set(input.members ?? [])].sort();
        const memberRows: MemberRow[] = [];
        for (const [index, email] of emails.entries()) {
          const member = await this.members.findByEmail(tx, caller.org.id, email);
          if (!member)
            throw FlagwardError.validation([{ path: `members[${index}]`, message: `no member ${email}` }]);
          memberRows.push(member);
        }
        const group: GroupRow = {
          id: randomUUID(),
          org_id: caller.org.id,
          key: input.key,
          name: input.name,
          created_at: this.deps.clock().toISOString(),
        };
        const view: GroupView = {
          key: group.key,
          name: group.name,
          members: emails,
          createdAt: group.created_at,
        };
        return {
          requirements: MANAGE_GROUPS,
          actions: ['CreateGroup'],
          resource: `group/${group.key}`,
          summary:
            emails.length > 0
              ? `created group ${group.key} with ${emails.join(', ')}`
              : `created group ${group.key}`,
          after: view,
          apply: async (applyTx) => {
            await this.groups.insert(applyTx, group);
            for (const member of memberRows) await this.groups.addMember(applyTx, group.id, member.id);
            return view;
          },
        };
      },
    });
  }

  async rename(
    principal: Principal | undefined,
    key: string,
    name: string,
    meta: RequestMeta,
  ): Promise<GroupView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const group = await this.load(tx, caller.org.id, key);
        const before = await this.view(tx, group);
        if (group.name === name) return { unchanged: true, result: before, requirements: MANAGE_GROUPS };
        const after = { ...before, name };
        return {
          requirements: MANAGE_GROUPS,
          actions: ['UpdateGroup'],
          resource: `group/${key}`,
          summary: `renamed group ${key} to "${name}"`,
          before,
          after,
          apply: async (applyTx) => {
            await this.groups.update(applyTx, group.id, { name });
            return after;
          },
        };
      },
    });
  }

  async delete(principal: Principal | undefined, key: string, meta: RequestMeta): Promise<void> {
    const caller = requireMember(principal);
    await this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const group = await this.load(tx, caller.org.id, key);
        return {
          requirements: MANAGE_GROUPS,
          actions: ['DeleteGroup'],
          resource: `group/${key}`,
          summary: `deleted group ${key}`,
          before: await this.view(tx, group),
          apply: (applyTx) => this.groups.delete(applyTx, group.id),
        };
      },
    });
  }

  async setMembership(
    principal: Principal | undefined,
    key: string,
    email: string,
    present: boolean,
    meta: RequestMeta,
  ): Promise<GroupView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const group = await this.load(tx, caller.org.id, key);
        const member = await this.members.findByEmail(tx, caller.org.id, email);
        if (!member) throw new FlagwardError('not-found', `no member ${email}`);
        const before = await this.view(tx, group);
        if ((await this.groups.hasMember(tx, group.id, member.id)) === present) {
          return { unchanged: true, result: before, requirements: MANAGE_GROUPS };
        }
        const members = present
          ? [...before.members, email].sort()
          : before.members.filter((e) => e !== email);
        const after = { ...before, members };
        return {
          requirements: MANAGE_GROUPS,
          actions: [present ? 'AddGroupMember' : 'RemoveGroupMember'],
          resource: `group/${key}`,
          summary: present ? `added ${email} to group ${key}` : `removed ${email} from group ${key}`,
          before,
          after,
          apply: async (applyTx) => {
            if (present) await this.groups.addMember(applyTx, group.id, member.id);
            else await this.groups.removeMember(applyTx, group.id, member.id);
            return after;
          },
        };
      },
    });
  }
}
