import { FlagwardError } from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Tx } from '../db/database';
import type { FlagConfigurationRepository } from '../flags/configuration.repository';
import { authorizeRead, mayRead, requireMember } from '../governance/access';
import type { Requirement } from '../governance/authorizer';
import type { Principal, RequestMeta } from '../governance/principal';
import type { EnvironmentRow, ProjectRow } from '../projects/project.repository';
import { type ProjectService, projectRn } from '../projects/project.service';
import { newClientId, newEnvironmentRow, newServerKey } from './environment.factory';
import type { EnvironmentRepository } from './environment.repository';
import { type EnvironmentView, environmentRn, environmentView } from './environment.view';

export interface EnvironmentInput {
  key: string;
  name: string;
  production?: boolean | undefined;
  tags?: string[] | undefined;
}

export interface EnvironmentPatch {
  name?: string | undefined;
  production?: boolean | undefined;
  tags?: string[] | undefined;
}

export interface SdkKeys {
  serverKey: string;
  clientId: string;
}

/** Environments of a project, including their SDK credentials. */
export class EnvironmentService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly projects: ProjectService,
    private readonly environments: EnvironmentRepository,
    private readonly flagConfigurations: FlagConfigurationRepository,
  ) {}

  private async load(tx: Tx, project: ProjectRow, key: string): Promise<EnvironmentRow> {
    const env = await this.environments.findByKey(tx, project.id, key);
    if (!env) throw new FlagwardError('not-found', `no environment ${key} in project ${project.key}`);
    return env;
  }

  async list(principal: Principal | undefined, projectKey: string): Promise<EnvironmentView[]> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const project = await this.projects.load(db, caller.org.id, projectKey);
    await authorizeRead(this.deps.authorizer, db, caller, [
      { action: 'CanAccessProject', resource: projectRn(projectKey) },
    ]);
    const result = [];
    for (const env of await this.environments.listForProject(db, project.id)) {
      if (
        await mayRead(this.deps.authorizer, db, caller, [
          { action: 'CanAccessEnv', resource: environmentRn(projectKey, env.key) },
        ])
      ) {
        result.push(environmentView(env));
      }
    }
    return result;
  }

  /** Loads an environment for a read that needs `action` on it. */
  private async read(
    principal: Principal | undefined,
    projectKey: string,
    envKey: string,
    action: string,
  ): Promise<EnvironmentRow> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const project = await this.projects.load(db, caller.org.id, projectKey);
    const env = await this.environments.findByKey(db, project.id, envKey);
    if (!env) throw new FlagwardError('not-found', `no environment ${envKey} in project ${projectKey}`);
    await authorizeRead(this.deps.authorizer, db, caller, [
      { action, resource: environmentRn(projectKey, envKey) },
    ]);
    return env;
  }

  async get(principal: Principal | undefined, projectKey: string, envKey: string): Promise<EnvironmentView> {
    return environmentView(await this.read(principal, projectKey, envKey, 'CanAccessEnv'));
  }

  async create(
    principal: Principal | undefined,
    projectKey: string,
    input: EnvironmentInput,
    meta: RequestMeta,
  ): Promise<EnvironmentView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const project = await this.projects.load(tx, caller.org.id, projectKey);
        if (await this.environments.findByKey(tx, project.id, input.key)) {
          throw new FlagwardError(
            'conflict',
            `environment ${input.key} already exists in project ${projectKey}`,
          );
        }
        const row = newEnvironmentRow(this.deps.secretBox, {
          projectId: project.id,
          key: input.key,
          name: input.name,
          production: input.production ?? false,
          tags: input.tags ?? [],
          position: await this.environments.nextPosition(tx, project.id),
          now: this.deps.clock().toISOString(),
        });
        const view = environmentView(row);
        return {
          requirements: [{ action: 'CreateEnv', resource: projectRn(projectKey) }],
          resource: environmentRn(projectKey, input.key),
          project: projectKey,
          environment: input.key,
          summary: `created environment ${input.key}${view.production ? ' (production)' : ''} in project ${projectKey}`,
          after: view,
          apply: async (applyTx) => {
            await this.environments.insert(applyTx, row);
            // Every flag exists in every environment: the new one starts with each flag off.
            await this.flagConfigurations.seedEnvironment(applyTx, project.id, row.id, row.created_at);
            return view;
          },
        };
      },
    });
  }

  async update(
    principal: Principal | undefined,
    projectKey: string,
    envKey: string,
    patch: EnvironmentPatch,
    meta: RequestMeta,
  ): Promise<EnvironmentView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const project = await this.projects.load(tx, caller.org.id, projectKey);
        const env = await this.load(tx, project, envKey);
        const before = environmentView(env);
        const after: EnvironmentView = {
          ...before,
          name: patch.name ?? before.name,
          production: patch.production ?? before.production,
          tags: patch.tags ? [...new Set(patch.tags)] : before.tags,
        };
        const changes: string[] = [];
        if (after.name !== before.name)
          changes.push(`renamed environment ${envKey} of ${projectKey} to "${after.name}"`);
        if (after.production !== before.production) {
          changes.push(
            `${after.production ? 'marked' : 'unmarked'} environment ${envKey} of ${projectKey} as production`,
          );
        }
        if (JSON.stringify(after.tags) !== JSON.stringify(before.tags)) {
          changes.push(
            `changed tags of environment ${envKey} of ${projectKey} to [${after.tags.join(', ')}]`,
          );
        }
        if (changes.length === 0) {
          return {
            unchanged: true,
            result: before,
            requirements: [{ action: 'CanAccessEnv', resource: environmentRn(projectKey, envKey) }],
          };
        }
        const requirements: Requirement[] = [
          { action: 'UpdateEnvSettings', resource: environmentRn(projectKey, envKey) },
        ];
        return {
          requirements,
          resource: environmentRn(projectKey, envKey),
          project: projectKey,
          environment: envKey,
          summary: changes.join('; '),
          before,
          after,
          apply: async (applyTx) => {
            await this.environments.update(applyTx, env.id, {
              name: after.name,
              production: after.production ? 1 : 0,
              tags: JSON.stringify(after.tags),
            });
            return after;
          },
        };
      },
    });
  }

  async delete(
    principal: Principal | undefined,
    projectKey: string,
    envKey: string,
    meta: RequestMeta,
  ): Promise<void> {
    const caller = requireMember(principal);
    await this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const project = await this.projects.load(tx, caller.org.id, projectKey);
        const env = await this.load(tx, project, envKey);
        return {
          requirements: [{ action: 'DeleteEnv', resource: environmentRn(projectKey, envKey) }],
          resource: environmentRn(projectKey, envKey),
          project: projectKey,
          environment: envKey,
          summary: `deleted environment ${envKey} of project ${projectKey}`,
          before: environmentView(env),
          apply: (applyTx) => this.environments.delete(applyTx, env.id),
        };
      },
    });
  }

  async sdkKeys(principal: Principal | undefined, projectKey: string, envKey: string): Promise<SdkKeys> {
    const env = await this.read(principal, projectKey, envKey, 'ReadEnvSecret');
    return { serverKey: this.deps.secretBox.open(env.server_key_encrypted), clientId: env.client_id };
  }

  async rotateSdkKeys(
    principal: Principal | undefined,
    projectKey: string,
    envKey: string,
    meta: RequestMeta,
  ): Promise<SdkKeys> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const project = await this.projects.load(tx, caller.org.id, projectKey);
        const env = await this.load(tx, project, envKey);
        const serverKey = newServerKey(this.deps.secretBox);
        const clientId = newClientId();
        return {
          requirements: [{ action: 'RotateEnvSecret', resource: environmentRn(projectKey, envKey) }],
          resource: environmentRn(projectKey, envKey),
          project: projectKey,
          environment: envKey,
          summary: `rotated the SDK keys of environment ${envKey} of project ${projectKey}`,
          before: { serverKeyHash: env.server_key_hash, clientId: env.client_id },
          after: { serverKeyHash: serverKey.hash, clientId },
          apply: async (applyTx) => {
            await this.environments.update(applyTx, env.id, {
              server_key_encrypted: serverKey.encrypted,
              server_key_hash: serverKey.hash,
              client_id: clientId,
            });
            return { serverKey: serverKey.key, clientId };
          },
        };
      },
    });
  }
}
