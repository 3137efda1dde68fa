import {
  describeProtectionAllowed,
  type EnvProtection,
  FlagwardError,
  validateProtection,
} from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor } from '../db/database';
import type { EnvironmentRepository } from '../environments/environment.repository';
import { environmentRn } from '../environments/environment.view';
import { authorizeRead, requireMember } from '../governance/access';
import type { Principal, RequestMeta } from '../governance/principal';
import type { ProjectService } from '../projects/project.service';
import { protectionOf } from './authz.context';
import type { IamRepository } from './iam.repository';

export interface ProtectionView {
  operations: string[];
  allowed: {
    orgRoles: Array<'owner' | 'admin' | 'member'>;
    policies: string[];
    groups: string[];
    members: string[];
  };
}

function view(protection: EnvProtection | undefined): ProtectionView {
  return {
    operations: [...(protection?.operations ?? [])],
    allowed: {
      orgRoles: [...(protection?.allowed.orgRoles ?? [])],
      policies: [...(protection?.allowed.policies ?? [])],
      groups: [...(protection?.allowed.groups ?? [])],
      members: [...(protection?.allowed.members ?? [])],
    },
  };
}

/** Protected operations of an environment: who alone may perform them, whatever policies say. */
export class ProtectionService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly repository: IamRepository,
    private readonly projects: ProjectService,
    private readonly environments: EnvironmentRepository,
  ) {}

  private async load(executor: Executor, orgId: string, projectKey: string, envKey: string) {
    const project = await this.projects.load(executor, orgId, projectKey);
    const env = await this.environments.findByKey(executor, project.id, envKey);
    if (!env) throw new FlagwardError('not-found', `no environment ${envKey} in project ${projectKey}`);
    const stored = await this.repository.findProtection(executor, env.id);
    return { env, current: view(protectionOf(stored, env.production === 1)) };
  }

  async get(principal: Principal | undefined, projectKey: string, envKey: string): Promise<ProtectionView> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const { current } = await this.load(db, caller.org.id, projectKey, envKey);
    await authorizeRead(this.deps.authorizer, db, caller, [
      { action: 'CanAccessEnv', resource: environmentRn(projectKey, envKey) },
    ]);
    return current;
  }

  async put(
    principal: Principal | undefined,
    projectKey: string,
    envKey: string,
    input: ProtectionView,
    meta: RequestMeta,
  ): Promise<ProtectionView> {
    const caller = requireMember(principal);
    const errors = validateProtection(input);
    if (errors.length > 0) throw FlagwardError.validation(errors);
    const next = view({
      operations: [...new Set(input.operations)],
      allowed: {
        orgRoles: [...new Set(input.allowed.orgRoles)] as EnvProtection['allowed']['orgRoles'],
        policies: [...new Set(input.allowed.policies)],
        groups: [...new Set(input.allowed.groups)],
        members: [...new Set(input.allowed.members)],
      },
    });
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const { env, current } = await this.load(tx, caller.org.id, projectKey, envKey);
        if (JSON.stringify(current) === JSON.stringify(next)) {
          return {
            unchanged: true,
            result: current,
            requirements: [
              { action: 'ManageProtectedOperations', resource: environmentRn(projectKey, envKey) },
            ],
          };
        }
        const allowedText = describeProtectionAllowed(next as EnvProtection);
        return {
          requirements: [
            { action: 'ManageProtectedOperations', resource: environmentRn(projectKey, envKey) },
          ],
          resource: environmentRn(projectKey, envKey),
          project: projectKey,
          environment: envKey,
          summary:
            next.operations.length === 0
              ? `removed every protected operation of ${envKey} in ${projectKey}`
              : `protected ${next.operations.join(', ')} in ${envKey} of ${projectKey}, allowed to ${allowedText}`,
          before: current,
          after: next,
          apply: async (applyTx) => {
            await this.repository.upsertProtection(applyTx, {
              environment_id: env.id,
              operations: JSON.stringify(next.operations),
              allowed: JSON.stringify(next.allowed),
              updated_at: this.deps.clock().toISOString(),
            });
            return next;
          },
        };
      },
    });
  }
}
