import { randomUUID } from 'node:crypto';
import { FlagwardError } from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor, Tx } from '../db/database';
import type { MemberPrincipal, OrgRef, Principal, RequestMeta } from '../governance/principal';
import type { MemberRepository, MemberRow } from '../members/member.repository';
import { type MemberView, memberView } from '../members/member.view';
import type { OrganizationRepository } from '../organization/organization.repository';
import { hashPassword, hashSecret, newSecret, sameDigest, verifyPassword } from '../security/secrets';
import type { TokenRepository } from '../tokens/token.repository';
import { TOKEN_PREFIX, tokenRefOf } from '../tokens/token.service';
import type { LoginLimiter } from './login-limiter';
import type { InvitationRepository, SessionRepository } from './session.repository';

export interface SessionGrant {
  member: MemberView;
  csrfToken: string;
  /** The cookie value; never returned in a body. */
  sessionToken: string;
  expiresAt: string;
}

/** How a request authenticated, as resolved from its headers. */
export interface Authentication {
  principal: MemberPrincipal;
  /** Present for cookie sessions: writes must carry the matching CSRF token. */
  csrfHash?: string;
}

const UNAUTHENTICATED = 'wrong email or password';

/** Login, logout, invitations and resolving a request's credentials to a principal. */
export class AuthService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly organizations: OrganizationRepository,
    private readonly members: MemberRepository,
    private readonly sessions: SessionRepository,
    private readonly invitations: InvitationRepository,
    private readonly tokens: TokenRepository,
    private readonly limiter: LoginLimiter,
  ) {}

  private async orgOf(executor: Executor, member: MemberRow): Promise<OrgRef> {
    const org = await this.organizations.findById(executor, member.org_id);
    if (!org) throw new Error(`member ${member.id} has no organization`);
    return { id: org.id, key: org.key, name: org.name };
  }

  private async principalOf(
    executor: Executor,
    member: MemberRow,
    auth: 'session' | 'token',
  ): Promise<MemberPrincipal> {
    return {
      kind: 'member',
      memberId: member.id,
      email: member.email,
      name: member.name,
      orgRole: member.org_role,
      org: await this.orgOf(executor, member),
      auth,
    };
  }

  private async openSession(
    tx: Tx,
    memberId: string,
  ): Promise<{ sessionToken: string; csrfToken: string; expiresAt: string }> {
    const now = this.deps.clock();
    const sessionToken = newSecret('fw_sess_');
    const csrfToken = newSecret('', 24);
    const expiresAt = new Date(now.getTime() + this.deps.config.sessionTtlMs).toISOString();
    await this.sessions.insert(tx, {
      id: randomUUID(),
      member_id: memberId,
      token_hash: hashSecret(sessionToken),
      csrf_hash: hashSecret(csrfToken),
      created_at: now.toISOString(),
      expires_at: expiresAt,
    });
    return { sessionToken, csrfToken, expiresAt };
  }

  async login(input: { email: string; password: string }, meta: RequestMeta): Promise<SessionGrant> {
    this.limiter.assertAllowed(meta.ip, input.email);
    const db = this.deps.store.db;
    const member = await this.members.findAnyByEmail(db, input.email);
    const passwordOk = await verifyPassword(member?.password_hash ?? null, input.password);
    if (!member || !passwordOk || member.disabled === 1) {
      this.limiter.recordFailure(meta.ip, input.email);
      const org = member ? await this.orgOf(db, member) : await this.organizations.findOnly(db);
      if (org) {
        await this.deps.governed.recordDenied({
          org: { id: org.id, key: org.key, name: org.name },
          actor: member
            ? { type: 'member', id: member.id, email: member.email }
            : { type: 'member', email: input.email },
          actions: ['Login'],
          resource: `member/${input.email}`,
          summary: `failed sign-in as ${input.email}`,
          outcome: 'denied',
          reason: !member ? 'unknown email' : member.disabled === 1 ? 'member is disabled' : 'wrong password',
          meta,
        });
      }
      throw new FlagwardError('unauthenticated', UNAUTHENTICATED);
    }
    this.limiter.recordSuccess(meta.ip, input.email);
    const principal = await this.principalOf(db, member, 'session');
    return this.deps.governed.run({
      principal,
      meta,
      plan: async () => ({
        requirements: [],
        actions: ['Login'],
        resource: `member/${member.email}`,
        summary: `${member.email} signed in`,
        apply: async (tx) => ({ member: memberView(member), ...(await this.openSession(tx, member.id)) }),
      }),
    });
  }

  async logout(
    principal: Principal | undefined,
    sessionToken: string | undefined,
    meta: RequestMeta,
  ): Promise<void> {
    if (principal?.kind !== 'member' || !sessionToken) return;
    await this.deps.governed.run({
      principal,
      meta,
      plan: async (tx) => {
        const session = await this.sessions.findByTokenHash(tx, hashSecret(sessionToken));
        if (!session) return { unchanged: true, result: undefined };
        return {
          requirements: [],
          actions: ['Logout'],
          resource: `member/${principal.email}`,
          summary: `${principal.email} signed out`,
          apply: (applyTx) => this.sessions.delete(applyTx, session.id),
        };
      },
    });
  }

  async acceptInvitation(
    input: { token: string; password: string },
    meta: RequestMeta,
  ): Promise<SessionGrant> {
    const passwordHash = await hashPassword(input.password);
    const invalid = () =>
      new FlagwardError('not-found', 'this invitation is unknown, expired or already used');
    const invitation = await this.invitations.findByTokenHash(this.deps.store.db, hashSecret(input.token));
    if (
      !invitation ||
      invitation.accepted_at !== null ||
      Date.parse(invitation.expires_at) <= this.deps.clock().getTime()
    ) {
      throw invalid();
    }
    return this.deps.governed.run({
      principal: undefined,
      meta,
      plan: async (tx) => {
        const fresh = await this.invitations.findByTokenHash(tx, hashSecret(input.token));
        const member = fresh ? await this.members.findById(tx, fresh.member_id) : undefined;
        if (!fresh || fresh.accepted_at !== null || !member || member.disabled === 1) throw invalid();
        const now = this.deps.clock().toISOString();
        return {
          requirements: [],
          actions: ['AcceptInvitation'],
          resource: `member/${member.email}`,
          summary: `${member.email} accepted the invitation`,
          actor: { type: 'member', id: member.id, email: member.email },
          org: await this.orgOf(tx, member),
          apply: async (applyTx) => {
            await this.invitations.markAccepted(applyTx, fresh.id, now);
            await this.members.update(applyTx, member.id, { password_hash: passwordHash, updated_at: now });
            return { member: memberView(member), ...(await this.openSession(applyTx, member.id)) };
          },
        };
      },
    });
  }

  /** Resolves a bearer token or a session cookie; undefined when neither is present. */
  async authenticate(
    bearer: string | undefined,
    sessionToken: string | undefined,
  ): Promise<Authentication | undefined> {
    const db = this.deps.store.db;
    const now = this.deps.clock();
    if (bearer !== undefined) {
      const unauthenticated = new FlagwardError(
        'unauthenticated',
        'the API token is unknown, expired or revoked',
      );
      if (!bearer.startsWith(TOKEN_PREFIX)) throw unauthenticated;
      const digest = hashSecret(bearer);
      const token = await this.tokens.findBySecretHash(db, digest);
      if (!token || !sameDigest(token.secret_hash, digest) || token.revoked_at !== null)
        throw unauthenticated;
      if (token.expires_at !== null && Date.parse(token.expires_at) <= now.getTime()) throw unauthenticated;
      const member = await this.members.findById(db, token.member_id);
      if (!member || member.disabled === 1) throw unauthenticated;
      const principal = await this.principalOf(db, member, 'token');
      return { principal: { ...principal, token: tokenRefOf(token) } };
    }
    if (sessionToken !== undefined) {
      const session = await this.sessions.findByTokenHash(db, hashSecret(sessionToken));
      if (!session || Date.parse(session.expires_at) <= now.getTime()) return undefined;
      const member = await this.members.findById(db, session.member_id);
      if (!member || member.disabled === 1) return undefined;
      return { principal: await this.principalOf(db, member, 'session'), csrfHash: session.csrf_hash };
    }
    return undefined;
  }
}
