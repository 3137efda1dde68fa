import { type AuditAppender, ChainedAuditAppender } from '../audit/audit.appender';
import { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { AuditSigner } from '../audit/audit.signer';
import { CheckpointService } from '../audit/checkpoint.service';
import { CommitBatcher } from '../audit/commit.batcher';
import { HistoryService } from '../audit/history.service';
import { LeafHashCache } from '../audit/leaf-hash.cache';
import { AuthService } from '../auth/auth.service';
import { LoginLimiter } from '../auth/login-limiter';
import { InvitationRepository, SessionRepository } from '../auth/session.repository';
import type { FlagwardConfig } from '../config/config';
import type { Store } from '../db/database';
import { EnvironmentRepository } from '../environments/environment.repository';
import { EnvironmentService } from '../environments/environment.service';
import { FlagConfigurationRepository } from '../flags/configuration.repository';
import { ConfigurationService } from '../flags/configuration.service';
import { FlagLocator } from '../flags/flag.locator';
import { FlagRepository } from '../flags/flag.repository';
import { FlagService } from '../flags/flag.service';
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
import { RolloutScheduler } from '../schedules/rollout.scheduler';
import { RolloutScheduleRepository } from '../schedules/schedule.repository';
import { RolloutScheduleService } from '../schedules/schedule.service';
import { SdkService } from '../sdk/sdk.service';
import { SecretBox } from '../security/secret-box';
import { TokenRepository } from '../tokens/token.repository';
import { TokenIssuer, TokenService } from '../tokens/token.service';
import { VariableRepository } from '../variables/variable.repository';
import { VariableService } from '../variables/variable.service';
import type { ServiceDeps } from './service-deps';

/** Every service of the server, wired once. */
export interface Services {
  config: FlagwardConfig;
  store: Store;
  deps: ServiceDeps;
  auditRepository: AuditRepository;
  /** Audit query, export, timeline, proofs and verification. */
  audit: AuditService;
  /** Signed checkpoints of the audit log (and their background signer). */
  checkpoints: CheckpointService;
  /** Point-in-time reads reconstructed from the audit log. */
  history: HistoryService;
  /** Group commit of governed changes. */
  commits: CommitBatcher;
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
  /** SDK rulesets, evaluation and change streams (closed by the server before the database). */
  sdk: SdkService;
  flags: FlagService;
  configurations: ConfigurationService;
  schedules: RolloutScheduleService;
  rolloutScheduler: RolloutScheduler;
  variables: VariableService;
}

export interface ServiceOverrides {
  clock?: () => Date;
  authorizer?: Authorizer;
  /** Replaces the audit appender (tests use this to prove a failed append keeps nothing). */
  auditAppender?: AuditAppender;
  secretBox?: SecretBox;
  /** Signs audit checkpoints instead of the key in config.auditKeyFile. */
  auditSigner?: AuditSigner;
  /** Interval of SDK stream heartbeats (default 15 s; tests shorten it). */
  sdkHeartbeatMs?: number;
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
  // Group commit: changes arriving together share one durable commit, each in its own savepoint.
  const commits = new CommitBatcher(store.db, store.dialect, (tx) => iamRepository.iamVersion(tx));
  const governed = new GovernedChanges(commits, authorizer, appender);
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
  const projects = new ProjectService(deps, projectRepository, environmentRepository, iamRepository);
  const guard = new GrantGuard(iamRepository, policyAuthorizer);
  const assignments = new AssignmentService(deps, iamRepository, members, groups, guard, (executor, orgId) =>
    policyAuthorizer.context(executor, orgId),
  );
  const flagPermissions = new FlagPermissionService(deps, iamRepository, groups, assignments, guard);
  const flagRepository = new FlagRepository(store.dialect);
  const flagConfigurations = new FlagConfigurationRepository(store.dialect);
  const flagLocator = new FlagLocator(projects, environmentRepository, flagRepository);
  const scheduleRepository = new RolloutScheduleRepository();
  const leafHashes = new LeafHashCache(auditRepository);
  const checkpoints = new CheckpointService(
    deps,
    auditRepository,
    overrides.auditSigner ?? AuditSigner.fromKeyFile(config.auditKeyFile),
    leafHashes,
  );

  return {
    config,
    store,
    deps,
    auditRepository,
    audit: new AuditService(deps, auditRepository, checkpoints, leafHashes),
    checkpoints,
    history: new HistoryService(deps, auditRepository),
    commits,
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
    tokens: new TokenService(deps, tokenRepository, issuer, (executor, orgId) =>
      policyAuthorizer.context(executor, orgId),
    ),
    members: new MemberService(deps, members, invitations, sessions),
    groups: new GroupService(deps, groups, members),
    projects,
    environments: new EnvironmentService(deps, projects, environmentRepository, flagConfigurations),
    policies: new PolicyService(deps, iamRepository, groups, guard),
    assignments,
    flagPermissions,
    protections: new ProtectionService(deps, iamRepository, projects, environmentRepository),
    authz: new AuthzService(deps, policyAuthorizer, iamRepository, members, groups),
    previews: new PreviewService(deps, policyAuthorizer, iamRepository, members, groups, assignments),
    expiries: new ExpiryRecorder(deps, iamRepository, organizations),
    sdk: new SdkService(deps, environmentRepository, { heartbeatMs: overrides.sdkHeartbeatMs }),
    flags: new FlagService(deps, flagLocator, flagRepository, flagConfigurations, flagPermissions),
    configurations: new ConfigurationService(deps, flagLocator, flagConfigurations),
    schedules: new RolloutScheduleService(
      deps,
      flagLocator,
      flagRepository,
      flagConfigurations,
      scheduleRepository,
    ),
    rolloutScheduler: new RolloutScheduler(
      deps,
      scheduleRepository,
      flagRepository,
      flagConfigurations,
      members,
      organizations,
    ),
    variables: new VariableService(deps, projects, environmentRepository, new VariableRepository()),
  };
}
