import { randomUUID } from 'node:crypto';
import { FlagwardError } from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor, Tx } from '../db/database';
import { newEnvironmentRow } from '../environments/environment.factory';
import type { EnvironmentRepository } from '../environments/environment.repository';
import { type EnvironmentView, environmentRn, environmentView } from '../environments/environment.view';
import { authorizeRead, mayRead, requireMember } from '../governance/access';
import type { Principal, RequestMeta } from '../governance/principal';
import type { IamRepository } from '../iam/iam.repository';
import type { ProjectRepository, ProjectRow } from './project.repository';

export interface ProjectView {
  key: string;
  name: string;
  environments: EnvironmentView[];
  createdAt: string;
}

export interface CreateProjectInput {
  key: string;
  name: string;
  environments?:
    | { key: string; name: string; production?: boolean | undefined; tags?: string[] | undefined }[]
    | undefined;
}

export const DEFAULT_ENVIRONMENTS: NonNullable<CreateProjectInput['environments']> = [
  { key: 'development', name: 'Development', production: false },
  { key: 'production', name: 'Production', production: true },
];

export function projectRn(key: string): string {
  return `project/${key}`;
}

/** Projects and their lifecycle; a new project gets `development` and `production` unless told otherwise. */
export class ProjectService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly projects: ProjectRepository,
    private readonly environments: EnvironmentRepository,
    private readonly iam: IamRepository,
  ) {}

  async load(executor: Executor, orgId: string, key: string): Promise<ProjectRow> {
    const project = await this.projects.findByKey(executor, orgId, key);
    if (!project) throw new FlagwardError('not-found', `no project ${key}`);
    return project;
  }

  private async view(executor: Executor, principal: Principal, project: ProjectRow): Promise<ProjectView> {
    const envs = await this.environments.listForProject(executor, project.id);
    const visible = [];
    for (const env of envs) {
      if (
        await mayRead(this.deps.authorizer, executor, principal, [
          { action: 'CanAccessEnv', resource: environmentRn(project.key, env.key) },
        ])
      ) {
        visible.push(environmentView(env));
      }
    }
    return { key: project.key, name: project.name, environments: visible, createdAt: project.created_at };
  }

  async list(principal: Principal | undefined): Promise<ProjectView[]> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const result: ProjectView[] = [];
    for (const project of await this.projects.list(db, caller.org.id)) {
      if (
        await mayRead(this.deps.authorizer, db, caller, [
          { action: 'CanAccessProject', resource: projectRn(project.key) },
        ])
      ) {
        result.push(await this.view(db, caller, project));
      }
    }
    return result;
  }

  async get(principal: Principal | undefined, key: string): Promise<ProjectView> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const project = await this.load(db, caller.org.id, key);
    await authorizeRead(this.deps.authorizer, db, caller, [
      { action: 'CanAccessProject', resource: projectRn(key) },
    ]);
    return this.view(db, caller, project);
  }

  async create(
    principal: Principal | undefined,
    input: CreateProjectInput,
    meta: RequestMeta,
  ): Promise<ProjectView> {
    const caller = requireMember(principal);
    const envInputs = input.environments ?? DEFAULT_ENVIRONMENTS;
    const seen = new Set<string>();
    envInputs.forEach((env, index) => {
      if (seen.has(env.key)) {
        throw FlagwardError.validation([
          { path: `environments[${index}].key`, message: `duplicate environment key ${env.key}` },
        ]);
      }
      seen.add(env.key);
    });
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        if (await this.projects.findByKey(tx, caller.org.id, input.key)) {
          throw new FlagwardError('conflict', `project ${input.key} already exists`);
        }
        const now = this.deps.clock().toISOString();
        const project: ProjectRow = {
          id: randomUUID(),
          org_id: caller.org.id,
          key: input.key,
          name: input.name,
          created_at: now,
        };
        const envRows = envInputs.map((env, position) =>
          newEnvironmentRow(this.deps.secretBox, {
            projectId: project.id,
            key: env.key,
            name: env.name,
            production: env.production ?? false,
            tags: env.tags ?? [],
            position,
            now,
          }),
        );
        const view: ProjectView = {
          key: project.key,
          name: project.name,
          environments: envRows.map(environmentView),
          createdAt: now,
        };
        return {
          requirements: [{ action: 'CreateProject', resource: 'org' }],
          actions: ['CreateProject'],
          resource: projectRn(project.key),
          project: project.key,
          summary: `created project ${project.key} with environments ${envRows.map((e) => e.key).join(', ')}`,
          after: view,
          apply: async (applyTx) => {
            await this.projects.insert(applyTx, project);
            for (const row of envRows) await this.environments.insert(applyTx, row);
            return view;
          },
        };
      },
    });
  }

  async update(
    principal: Principal | undefined,
    key: string,
    patch: { name?: string | undefined },
    meta: RequestMeta,
  ): Promise<ProjectView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx: Tx) => {
        const project = await this.load(tx, caller.org.id, key);
        const before = await this.view(tx, caller, project);
        if (patch.name === undefined || patch.name === project.name) {
          return {
            unchanged: true,
            result: before,
            requirements: [{ action: 'CanAccessProject', resource: projectRn(key) }],
          };
        }
        const after = { ...before, name: patch.name };
        return {
          requirements: [{ action: 'UpdateProjectSettings', resource: projectRn(key) }],
          resource: projectRn(key),
          project: key,
          summary: `renamed project ${key} to "${patch.name}"`,
          before: { key, name: project.name },
          after: { key, name: patch.name },
          apply: async (applyTx) => {
            await this.projects.update(applyTx, project.id, { name: patch.name });
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
        const project = await this.load(tx, caller.org.id, key);
        return {
          requirements: [{ action: 'DeleteProject', resource: projectRn(key) }],
          resource: projectRn(key),
          project: key,
          summary: `deleted project ${key}`,
          before: { key, name: project.name },
          apply: async (applyTx) => {
            // Role grants bound to this project go with it; a later project with the same key starts clean.
            await this.iam.deleteAssignmentsScopedTo(applyTx, caller.org.id, key);
            await this.projects.delete(applyTx, project.id);
          },
        };
      },
    });
  }
}
