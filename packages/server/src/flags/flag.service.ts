import { randomBytes, randomUUID } from 'node:crypto';
import {
  defaultVariations,
  deriveFlagDetailActions,
  type FlagConfiguration,
  type FlagDefinition,
  type FlagKind,
  FlagwardError,
  flagDetailChangeSummary,
  type Variation,
  validateFlagDefinition,
  validateFlagDefinitionUpdate,
} from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor, Tx } from '../db/database';
import { pageOf, rowsToFetch } from '../db/keyset.page';
import { authorizeRead, requireMember } from '../governance/access';
import type { Requirement } from '../governance/authorizer';
import type { PlannedChange } from '../governance/governed-change';
import type { Principal, RequestMeta } from '../governance/principal';
import type { FlagPermissionService } from '../iam/flag-permission.service';
import type { EnvironmentRow, ProjectRow } from '../projects/project.repository';
import { projectRn } from '../projects/project.service';
import {
  type ConfigurationRow,
  configurationOf,
  type FlagConfigurationRepository,
  initialConfigurationRows,
} from './configuration.repository';
import { type FlagLocator, visibleEnvironments } from './flag.locator';
import type { FlagFilter, FlagRepository, FlagRow } from './flag.repository';
import {
  definitionRecord,
  type FlagEnvironmentState,
  type FlagView,
  flagDefinitionOf,
  flagRn,
  flagView,
} from './flag.view';

export interface CreateFlagInput {
  key: string;
  name: string;
  description?: string | undefined;
  tags?: string[] | undefined;
  kind?: FlagKind | undefined;
  variations?: Array<{ id: string; value: unknown; name?: string | undefined }> | undefined;
}

export interface FlagPatch {
  name?: string | undefined;
  description?: string | undefined;
  tags?: string[] | undefined;
  variations?: CreateFlagInput['variations'];
}

/** `on` and `version` per environment key, for the environments given. */
function statesOf(
  environments: EnvironmentRow[],
  configurations: ConfigurationRow[],
): Record<string, FlagEnvironmentState> {
  const states: Record<string, FlagEnvironmentState> = {};
  for (const env of environments) {
    const row = configurations.find((c) => c.environment_id === env.id);
    if (row) states[env.key] = { on: configurationOf(row).on, version: row.version };
  }
  return states;
}

function ownershipNote(email: string, envs: string[]): string {
  if (envs.length === 0) return '';
  return ` (owner ${email} in ${envs.includes('*') ? 'every environment' : envs.join(', ')})`;
}

/** Flags of a project: their definitions (shared by every environment) and lifecycle. */
export class FlagService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly locator: FlagLocator,
    private readonly flags: FlagRepository,
    private readonly configurations: FlagConfigurationRepository,
    private readonly permissions: FlagPermissionService,
  ) {}

  private async visible(
    executor: Executor,
    caller: Principal,
    project: ProjectRow,
  ): Promise<EnvironmentRow[]> {
    const envs = await this.locator.environmentsOf(executor, project);
    return visibleEnvironments(this.deps.authorizer, executor, caller, project, envs);
  }

  /**
   * A project's flags in key order, a page at a time when `limit` is given (`cursor`: the
   * `nextCursor` of the previous page, which is the key of its last flag).
   */
  async list(
    principal: Principal | undefined,
    projectKey: string,
    filter: Pick<FlagFilter, 'archived' | 'tag'> & {
      cursor?: string | undefined;
      limit?: number | undefined;
    },
  ): Promise<{ items: FlagView[]; nextCursor: string | null }> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const project = await this.locator.project(db, caller.org.id, projectKey);
    await authorizeRead(this.deps.authorizer, db, caller, [
      { action: 'CanAccessProject', resource: projectRn(project.key) },
    ]);
    const visible = await this.visible(db, caller, project);
    const rows = await this.flags.list(db, project.id, {
      archived: filter.archived ?? false,
      tag: filter.tag,
      after: filter.cursor,
      limit: rowsToFetch(filter.limit),
    });
    const { items: page, nextCursor } = pageOf(rows, filter.limit, (last) => last.key);
    // A whole list reads the project's configurations at once; a page reads only its flags'.
    const configurations =
      filter.limit === undefined
        ? await this.configurations.listForProject(db, project.id)
        : await this.configurations.listForFlags(
            db,
            page.map((row) => row.id),
          );
    const byFlag = new Map<string, ConfigurationRow[]>();
    for (const c of configurations) {
      const list = byFlag.get(c.flag_id);
      if (list) list.push(c);
      else byFlag.set(c.flag_id, [c]);
    }
    const items = page.map((row) =>
      flagView(flagDefinitionOf(row), row, row.created_by_email, statesOf(visible, byFlag.get(row.id) ?? [])),
    );
    return { items, nextCursor };
  }

  async get(principal: Principal | undefined, projectKey: string, flagKey: string): Promise<FlagView> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const project = await this.locator.project(db, caller.org.id, projectKey);
    const flag = await this.locator.flag(db, project, flagKey);
    await authorizeRead(this.deps.authorizer, db, caller, [
      { action: 'CanAccessProject', resource: projectRn(project.key) },
    ]);
    const states = statesOf(
      await this.visible(db, caller, project),
      await this.configurations.listForFlag(db, flag.id),
    );
    return flagView(flagDefinitionOf(flag), flag, flag.created_by_email, states);
  }

  /** Creates a flag off in every environment; its creator becomes its owner where they may be one. */
  async create(
    principal: Principal | undefined,
    projectKey: string,
    input: CreateFlagInput,
    meta: RequestMeta,
  ): Promise<FlagView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const project = await this.locator.project(tx, caller.org.id, projectKey);
        if (await this.flags.findByKey(tx, project.id, input.key)) {
          throw new FlagwardError('conflict', `flag ${input.key} already exists in project ${project.key}`);
        }
        const kind = input.kind ?? 'boolean';
        const definition: FlagDefinition = {
          key: input.key,
          name: input.name,
          description: input.description ?? '',
          tags: input.tags ?? [],
          kind,
          // Shapes only so far: validateFlagDefinition checks every value against the kind.
          variations: (input.variations as Variation[] | undefined) ?? defaultVariations(kind),
          archived: false,
          salt: randomBytes(16).toString('hex'),
        };
        const errors = validateFlagDefinition(definition);
        if (errors.length > 0) throw FlagwardError.validation(errors);
        const now = this.deps.clock().toISOString();
        const row: FlagRow = {
          id: randomUUID(),
          project_id: project.id,
          key: definition.key,
          name: definition.name,
          description: definition.description,
          tags: JSON.stringify(definition.tags),
          kind,
          variations: JSON.stringify(definition.variations),
          archived: 0,
          salt: definition.salt,
          created_by: caller.memberId,
          created_at: now,
          updated_at: now,
        };
        const envs = await this.locator.environmentsOf(tx, project);
        const configurationRows = initialConfigurationRows(
          { id: row.id, kind, variations: definition.variations },
          envs.map((env) => env.id),
          now,
        );
        const visible = await visibleEnvironments(this.deps.authorizer, tx, caller, project, envs);
        const view = flagView(definition, row, caller.email, statesOf(visible, configurationRows));
        const resource = flagRn(project.key, '*', definition.key);
        const change: PlannedChange<FlagView> = {
          requirements: [{ action: 'CreateFlag', resource, flagTags: definition.tags }],
          resource,
          project: project.key,
          flag: definition.key,
          summary: `created flag ${definition.key} in project ${project.key}`,
          after: definitionRecord(definition),
          apply: async (applyTx) => {
            await this.flags.insert(applyTx, row);
            await this.configurations.insertMany(applyTx, configurationRows);
            const owned = await this.permissions.grantCreator(applyTx, caller, project.key, definition.key);
            // The entry is drafted after apply, so it can name where the creator became owner.
            change.summary += ownershipNote(caller.email, owned);
            return view;
          },
        };
        return change;
      },
    });
  }

  update(
    principal: Principal | undefined,
    projectKey: string,
    flagKey: string,
    patch: FlagPatch,
    meta: RequestMeta,
  ): Promise<FlagView> {
    return this.changeDefinition(principal, projectKey, flagKey, meta, (before) => ({
      ...before,
      name: patch.name ?? before.name,
      description: patch.description ?? before.description,
      tags: patch.tags ?? before.tags,
      variations: (patch.variations as Variation[] | undefined) ?? before.variations,
    }));
  }

  archive(principal: Principal | undefined, projectKey: string, flagKey: string, meta: RequestMeta) {
    return this.changeDefinition(principal, projectKey, flagKey, meta, (before) => ({
      ...before,
      archived: true,
    }));
  }

  restore(principal: Principal | undefined, projectKey: string, flagKey: string, meta: RequestMeta) {
    return this.changeDefinition(principal, projectKey, flagKey, meta, (before) => ({
      ...before,
      archived: false,
    }));
  }

  /**
   * A change of the project-wide definition: every derived action is needed on the flag in every
   * environment, and UpdateFlagTags with the old tags and with the new ones.
   */
  private changeDefinition(
    principal: Principal | undefined,
    projectKey: string,
    flagKey: string,
    meta: RequestMeta,
    edit: (before: FlagDefinition) => FlagDefinition,
  ): Promise<FlagView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const project = await this.locator.project(tx, caller.org.id, projectKey);
        const flag = await this.locator.flagForUpdate(tx, project, flagKey);
        const before = flagDefinitionOf(flag);
        const after = edit(before);
        const envs = await this.locator.environmentsOf(tx, project);
        const configurationRows = await this.configurations.listForFlag(tx, flag.id);
        const errors = validateFlagDefinitionUpdate(
          before,
          after,
          this.configurationsByEnvironment(envs, configurationRows),
        );
        if (errors.length > 0) throw FlagwardError.validation(errors);
        const states = statesOf(await this.visible(tx, caller, project), configurationRows);
        const createdBy = await this.flags.emailOf(tx, flag.created_by);
        const actions = deriveFlagDetailActions(before, after);
        if (actions.length === 0) {
          return {
            unchanged: true,
            result: flagView(before, flag, createdBy, states),
            requirements: [{ action: 'CanAccessProject', resource: projectRn(project.key) }],
          };
        }
        const now = this.deps.clock().toISOString();
        const resource = flagRn(project.key, '*', flag.key);
        const requirements = actions.flatMap((action): Requirement[] =>
          action === 'UpdateFlagTags'
            ? [
                { action, resource, flagTags: before.tags },
                { action, resource, flagTags: after.tags },
              ]
            : [{ action, resource }],
        );
        return {
          requirements,
          resource,
          project: project.key,
          flag: flag.key,
          summary: flagDetailChangeSummary(before, after),
          before: definitionRecord(before),
          after: definitionRecord(after),
          apply: async (applyTx: Tx) => {
            await this.flags.update(applyTx, flag.id, {
              name: after.name,
              description: after.description,
              tags: JSON.stringify(after.tags),
              variations: JSON.stringify(after.variations),
              archived: after.archived ? 1 : 0,
              updated_at: now,
            });
            return flagView(after, { created_at: flag.created_at, updated_at: now }, createdBy, states);
          },
        };
      },
    });
  }

  private configurationsByEnvironment(
    envs: EnvironmentRow[],
    rows: ConfigurationRow[],
  ): Record<string, FlagConfiguration> {
    const result: Record<string, FlagConfiguration> = {};
    for (const env of envs) {
      const row = rows.find((r) => r.environment_id === env.id);
      if (row) result[env.key] = configurationOf(row);
    }
    return result;
  }

  /** Deletes a flag everywhere, with its configurations and schedules. */
  async delete(
    principal: Principal | undefined,
    projectKey: string,
    flagKey: string,
    meta: RequestMeta,
  ): Promise<void> {
    const caller = requireMember(principal);
    await this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const project = await this.locator.project(tx, caller.org.id, projectKey);
        const flag = await this.locator.flagForUpdate(tx, project, flagKey);
        const resource = flagRn(project.key, '*', flag.key);
        return {
          requirements: [{ action: 'DeleteFlag', resource }],
          resource,
          project: project.key,
          flag: flag.key,
          summary: `deleted flag ${flag.key} from project ${project.key}`,
          before: definitionRecord(flagDefinitionOf(flag)),
          apply: async (applyTx) => {
            await this.permissions.revokeAll(applyTx, caller.org.id, project.key, flag.key);
            await this.flags.delete(applyTx, flag.id);
          },
        };
      },
    });
  }
}
