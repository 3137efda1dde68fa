import { randomUUID } from 'node:crypto';
import { FlagwardError } from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { AuditRepository } from '../audit/audit.repository';
import type { RequestMeta } from '../governance/principal';
import type { MemberRepository } from '../members/member.repository';
import { type MemberView, memberView } from '../members/member.view';
import { hashPassword } from '../security/secrets';
import type { TokenIssuer } from '../tokens/token.service';
import type { OrganizationRepository } from './organization.repository';

export interface SetupInput {
  organization: { key: string; name: string };
  owner: { email: string; name: string; password: string };
}

export interface SetupResult {
  organization: { key: string; name: string };
  member: MemberView;
  token: { id: string; name: string; secret: string; expiresAt: string | null };
}

/** First-run setup: the organization, its owner and the owner's first API token, in one governed change. */
export class SetupService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly organizations: OrganizationRepository,
    private readonly members: MemberRepository,
    private readonly audit: AuditRepository,
    private readonly tokens: TokenIssuer,
  ) {}

  /** Whether first-run setup is still to be done (the console shows the setup form then). */
  async isRequired(): Promise<boolean> {
    return (await this.organizations.count(this.deps.store.db)) === 0;
  }

  async setup(input: SetupInput, meta: RequestMeta): Promise<SetupResult> {
    const passwordHash = await hashPassword(input.owner.password);
    return this.deps.governed.run({
      principal: undefined,
      meta,
      plan: async (tx) => {
        if ((await this.organizations.count(tx)) > 0) {
          throw new FlagwardError(
            'setup-already-done',
            'this installation already has an organization and an owner',
          );
        }
        const now = this.deps.clock().toISOString();
        const org = { id: randomUUID(), key: input.organization.key, name: input.organization.name };
        const owner = {
          id: randomUUID(),
          org_id: org.id,
          email: input.owner.email,
          name: input.owner.name,
          password_hash: passwordHash,
          org_role: 'owner' as const,
          disabled: 0,
          created_at: now,
          updated_at: now,
        };
        return {
          requirements: [],
          actions: ['Setup'],
          resource: 'org',
          summary: `set up organization ${org.key} with owner ${owner.email}`,
          after: { organization: { key: org.key, name: org.name }, owner: memberView(owner) },
          actor: { type: 'member', id: owner.id, email: owner.email },
          org,
          apply: async (applyTx) => {
            await this.organizations.insert(applyTx, { ...org, created_at: now });
            await this.audit.createLog(applyTx, org.id);
            await this.members.insert(applyTx, owner);
            const token = await this.tokens.issue(applyTx, {
              orgId: org.id,
              memberId: owner.id,
              name: 'setup',
              expiresAt: null,
            });
            return { organization: { key: org.key, name: org.name }, member: memberView(owner), token };
          },
        };
      },
    });
  }
}
