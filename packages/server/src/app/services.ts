import { type AuditAppender, ChainedAuditAppender } from '../audit/audit.appender';
import { AuditRepository } from '../audit/audit.repository';
import { AuthService } from '../auth/auth.service';
import { LoginLimiter } from '../auth/login-limiter';
import { InvitationRepository, SessionRepository } from '../auth/session.repository';
import type { FlagwardConfig } from '../config/config';
import type { Store } from '../db/database';
import { EnvironmentRepository } from '../environments/environment.repository';
import { EnvironmentService } from '../environments/environment.service';
import type { Authorizer } from '../governance/authorizer';
import { GovernedChanges } from '../governance/governed-change';
import { GroupRepository } from '../groups/group.repository';
import { GroupService } from '../groups/group.service';
import { AssignmentService } from '../iam/assignment.service';
import { AuthzService } from '../iam/authz.service';
import { ExpiryRecorder } from '../iam/expiry.recorder';
import { FlagPermissionService } from '../iam/flag-permission.service';
import { GrantGuard } from '../iam/grant.guard';
import { IamRepository } from '../iam/iam.repository';
import { PolicyAuthorizer } from '../iam/policy.authorizer';
import { PolicyService } from '../iam/policy.service';
import { PreviewService } from '../iam/preview.service';
import { ProtectionService } from '../iam/protection.service';
import { MemberRepository } from '../members/member.repository';
import { MemberService } from '../members/member.service';
import { OrganizationRepository } from '../organization/organization.repository';
import { SetupService } from '../organization/setup.service';
import { ProjectRepository } from '../projects/project.repository';
import { ProjectService } from '../projects/project.service';
import { SecretBox } from '../security/secret-box';
import { TokenRepository } from '../tokens/token.repository';
import { TokenIssuer, TokenService } from '../tokens/token.service';
import type { ServiceDeps } from './service-deps';

/** Every service of the server, wired once. */
export interface Services {
  config: FlagwardConfig;
  store: Store;
  deps: ServiceDeps;
  auditRepository: AuditRepository;
  setup: SetupService;
  auth: AuthService;
  tokens: TokenService;
  members: MemberService;
  groups: GroupService;
  projects: ProjectService;
  environments: EnvironmentService;
  policies: PolicyService;
  assignments: AssignmentService;
  flagPermissions: FlagPermissionService;
  protections: ProtectionService;
  authz: AuthzService;
  previews: PreviewService;
  expiries: ExpiryRecorder;
}

export interface ServiceOverrides {
  clock?: () => Date;
  authorizer?: Authorizer;
  /** Replaces the audit appender (tests use this to prove a failed append keeps nothing). */
  auditAppender?: AuditAppender;
  secretBox?: SecretBox;
}

/** The composition root: repositories, the governed-change path and the services on top of it. */
export function createServices(
  config: FlagwardConfig,
  store: Store,
  overrides: ServiceOverrides = {},
): Services {
  const clock = overrides.clock ?? (() => new Date());
  const auditRepository = new AuditRepository(store.dialect);
  const appender = overrides.auditAppender ?? new ChainedAuditAppender(auditRepository, clock);
  const iamRepository = new IamRepository();
  const groups = new GroupRepository();
  const policyAuthorizer = new PolicyAuthorizer(iamRepository, groups, clock);
  const authorizer = overrides.authorizer ?? policyAuthorizer;
  const governed = new GovernedChanges(store.db, authorizer, appender);
  const secretBox = overrides.secretBox ?? SecretBox.fromKeyFile(config.secretKeyFile);
  const deps: ServiceDeps = { store, config, governed, authorizer, secretBox, clock };

  const organizations = new OrganizationRepository();
  const members = new MemberRepository();
  const sessions = new SessionRepository();
  const invitations = new InvitationRepository();
  const tokenRepository = new TokenRepository();
  const projectRepository = new ProjectRepository();
  const environmentRepository = new EnvironmentRepository();
  const issuer = new TokenIssuer(tokenRepository, clock);
  const projects = new ProjectService(deps, projectRepository, environmentRepository);
  const guard = new GrantGuard(iamRepository, policyAuthorizer);
  const assignments = new AssignmentService(deps, iamRepository, members, groups, guard, (executor, orgId) =>
    policyAuthorizer.context(executor, orgId),
  );
  const flagPermissions = new FlagPermissionService(deps, iamRepository, groups, assignments, guard);

  return {
    config,
    store,
    deps,
    auditRepository,
    setup: new SetupService(deps, organizations, members, auditRepository, issuer),
    auth: new AuthService(
      deps,
      organizations,
      members,
      sessions,
      invitations,
      tokenRepository,
      new LoginLimiter(10, 15 * 60 * 1000, clock),
    ),
    tokens: new TokenService(deps, tokenRepository, issuer),
    members: new MemberService(deps, members, invitations, sessions),
    groups: new GroupService(deps, groups, members),
    projects,
    environments: new EnvironmentService(deps, projects, environmentRepository),
    policies: new PolicyService(deps, iamRepository, groups, guard),
    assignments,
    flagPermissions,
    protections: new ProtectionService(deps, iamRepository, projects, environmentRepository),
    authz: new AuthzService(deps, policyAuthorizer, iamRepository, members, groups),
    previews: new PreviewService(deps, policyAuthorizer, iamRepository, members, groups, assignments),
    expiries: new ExpiryRecorder(deps, iamRepository, organizations),
  };
}
