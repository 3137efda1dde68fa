import { FlagwardError } from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor } from '../db/database';
import type { EnvironmentRepository } from '../environments/environment.repository';
import { environmentRn } from '../environments/environment.view';
import { authorizeRead, requireMember } from '../governance/access';
import type { Principal, RequestMeta } from '../governance/principal';
import type { EnvironmentRow, ProjectRow } from '../projects/project.repository';
import type { ProjectService } from '../projects/project.service';
import type { VariableRepository, VariableRow } from './variable.repository';
import { type VariableView, variableRecord, variableRn, variableView } from './variable.view';

export interface VariableInput {
  value: string;
  secret?: boolean | undefined;
}

/** Key/value configuration of an environment; secret values are sealed at rest and masked on every read. */
export class VariableService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly projects: ProjectService,
    private readonly environments: EnvironmentRepository,
    private readonly variables: VariableRepository,
  ) {}

  private async locate(
    executor: Executor,
    orgId: string,
    projectKey: string,
    envKey: string,
  ): Promise<{ project: ProjectRow; env: EnvironmentRow }> {
    const project = await this.projects.load(executor, orgId, projectKey);
    const env = await this.environments.findByKey(executor, project.id, envKey);
    if (!env) throw new FlagwardError('not-found', `no environment ${envKey} in project ${projectKey}`);
    return { project, env };
  }

  private plain(row: VariableRow): string {
    return row.secret === 1 ? this.deps.secretBox.open(row.value) : row.value;
  }

  async list(principal: Principal | undefined, projectKey: string, envKey: string): Promise<VariableView[]> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const { env } = await this.locate(db, caller.org.id, projectKey, envKey);
    await authorizeRead(this.deps.authorizer, db, caller, [
      { action: 'CanAccessEnv', resource: environmentRn(projectKey, envKey) },
    ]);
    return (await this.variables.list(db, env.id)).map(variableView);
  }

  async put(
    principal: Principal | undefined,
    projectKey: string,
    envKey: string,
    key: string,
    input: VariableInput,
    meta: RequestMeta,
  ): Promise<VariableView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const { project, env } = await this.locate(tx, caller.org.id, projectKey, envKey);
        const existing = await this.variables.find(tx, env.id, key);
        const secret = input.secret ?? existing?.secret === 1;
        const previous = existing ? this.plain(existing) : undefined;
        // Setting a secret is always a change: answering "unchanged" would confirm a guessed value
        // to a caller who may read the environment but not write the variable.
        if (existing && existing.secret === 0 && !secret && previous === input.value) {
          return {
            unchanged: true,
            result: variableView(existing),
            requirements: [{ action: 'CanAccessEnv', resource: environmentRn(project.key, env.key) }],
          };
        }
        const row: VariableRow = {
          environment_id: env.id,
          key,
          value: secret ? this.deps.secretBox.seal(input.value) : input.value,
          secret: secret ? 1 : 0,
          updated_at: this.deps.clock().toISOString(),
        };
        return {
          requirements: [{ action: 'WriteVariable', resource: variableRn(project.key, env.key, key) }],
          resource: variableRn(project.key, env.key, key),
          project: project.key,
          environment: env.key,
          summary: `set variable ${key} in ${env.key} of ${project.key}`,
          before:
            existing && previous !== undefined
              ? variableRecord(key, previous, existing.secret === 1)
              : undefined,
          after: variableRecord(key, input.value, secret),
          apply: async (applyTx) => {
            await this.variables.upsert(applyTx, row);
            return variableView(row);
          },
        };
      },
    });
  }

  async delete(
    principal: Principal | undefined,
    projectKey: string,
    envKey: string,
    key: string,
    meta: RequestMeta,
  ): Promise<void> {
    const caller = requireMember(principal);
    await this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const { project, env } = await this.locate(tx, caller.org.id, projectKey, envKey);
        const existing = await this.variables.find(tx, env.id, key);
        if (!existing)
          throw new FlagwardError('not-found', `no variable ${key} in ${env.key} of ${project.key}`);
        return {
          requirements: [{ action: 'DeleteVariable', resource: variableRn(project.key, env.key, key) }],
          resource: variableRn(project.key, env.key, key),
          project: project.key,
          environment: env.key,
          summary: `deleted variable ${key} in ${env.key} of ${project.key}`,
          before: variableRecord(key, this.plain(existing), existing.secret === 1),
          apply: (applyTx) => this.variables.delete(applyTx, env.id, key),
        };
      },
    });
  }
}
