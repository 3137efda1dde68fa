import { FlagwardError } from '@flagward/core';
import type { Executor } from '../db/database';
import type { EnvironmentRepository } from '../environments/environment.repository';
import { environmentRn } from '../environments/environment.view';
import { mayRead } from '../governance/access';
import type { Authorizer } from '../governance/authorizer';
import type { Principal } from '../governance/principal';
import type { EnvironmentRow, ProjectRow } from '../projects/project.repository';
import type { ProjectService } from '../projects/project.service';
import type { ConfigurationRow } from './configuration.repository';
import type { FlagRecord, FlagRepository, FlagRow } from './flag.repository';

/**
 * The lane (see ChangeRequest) of changes to one flag that touch nothing but its rows: its
 * configurations and rollout schedules. Keys, not ids, so a change names it before loading anything;
 * project and flag keys never change.
 */
export function flagLane(orgId: string, address: { project: string; flag: string }): string {
  return `flag ${orgId} ${address.project} ${address.flag}`;
}

/** Finds projects, environments and flags by key inside an organization, answering 404 for the unknown. */
export class FlagLocator {
  constructor(
    private readonly projects: ProjectService,
    private readonly environments: EnvironmentRepository,
    private readonly flags: FlagRepository,
  ) {}

  project(executor: Executor, orgId: string, key: string): Promise<ProjectRow> {
    return this.projects.load(executor, orgId, key);
  }

  async environment(executor: Executor, project: ProjectRow, key: string): Promise<EnvironmentRow> {
    const env = await this.environments.findByKey(executor, project.id, key);
    if (!env) throw new FlagwardError('not-found', `no environment ${key} in project ${project.key}`);
    return env;
  }

  environmentsOf(executor: Executor, project: ProjectRow): Promise<EnvironmentRow[]> {
    return this.environments.listForProject(executor, project.id);
  }

  async flag(executor: Executor, project: ProjectRow, key: string): Promise<FlagRecord> {
    const flag = await this.flags.findByKey(executor, project.id, key);
    if (!flag) throw new FlagwardError('not-found', `no flag ${key} in project ${project.key}`);
    return flag;
  }

  /** The flag row locked for a change (concurrent changes of one flag queue up instead of racing). */
  async flagForUpdate(executor: Executor, project: ProjectRow, key: string): Promise<FlagRow> {
    const flag = await this.flags.findByKeyForUpdate(executor, project.id, key);
    if (!flag) throw new FlagwardError('not-found', `no flag ${key} in project ${project.key}`);
    return flag;
  }

  /**
   * The project, the flag locked for a change and the environment a per-environment change addresses
   * (the flag is locked before the environment is read, as every change of a flag does), with the
   * flag's configuration there. One query; the step-by-step reads only run to name what is missing.
   */
  async lockedInEnvironment(
    executor: Executor,
    orgId: string,
    address: { project: string; flag: string; env: string },
  ): Promise<{
    project: ProjectRow;
    flag: FlagRow;
    environment: EnvironmentRow;
    configuration: ConfigurationRow | undefined;
  }> {
    const found = await this.flags.findInEnvironmentForUpdate(executor, orgId, address);
    if (found) return found;
    const project = await this.project(executor, orgId, address.project);
    const flag = await this.flagForUpdate(executor, project, address.flag);
    const environment = await this.environment(executor, project, address.env);
    return { project, flag, environment, configuration: undefined };
  }
}

/** The environments of a project the principal may read (CanAccessEnv), in project order. */
export async function visibleEnvironments(
  authorizer: Authorizer,
  executor: Executor,
  principal: Principal,
  project: ProjectRow,
  environments: EnvironmentRow[],
): Promise<EnvironmentRow[]> {
  const visible: EnvironmentRow[] = [];
  for (const env of environments) {
    if (
      await mayRead(authorizer, executor, principal, [
        { action: 'CanAccessEnv', resource: environmentRn(project.key, env.key) },
      ])
    ) {
      visible.push(env);
    }
  }
  return visible;
}
