import {
  applyConfigurationPatch,
  type ConfigurationPatch,
  FlagwardError,
  validateFlagConfiguration,
} from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor } from '../db/database';
import { environmentRn } from '../environments/environment.view';
import { authorizeRead, requireMember } from '../governance/access';
import type { Principal, RequestMeta } from '../governance/principal';
import type { EnvironmentRow } from '../projects/project.repository';
import { planConfigurationChange } from './configuration.change';
import {
  type ConfigurationRow,
  configurationOf,
  type FlagConfigurationRepository,
} from './configuration.repository';
import { type FlagLocator, flagLane } from './flag.locator';
import { type ConfigurationView, configurationView, flagDefinitionOf } from './flag.view';

/** Where a configuration lives: project, flag and environment keys. */
export interface ConfigurationAddress {
  project: string;
  flag: string;
  env: string;
}

export async function requireConfiguration(
  repository: FlagConfigurationRepository,
  executor: Executor,
  flag: { id: string; key: string },
  environment: EnvironmentRow,
  /** The row when the caller already read it (e.g. with `FlagLocator.lockedInEnvironment`). */
  loaded?: ConfigurationRow,
): Promise<ConfigurationRow> {
  const row = loaded ?? (await repository.find(executor, flag.id, environment.id));
  if (!row) throw new FlagwardError('not-found', `${flag.key} has no configuration in ${environment.key}`);
  return row;
}

/** The configuration of a flag in one environment: reading it and changing it. */
export class ConfigurationService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly locator: FlagLocator,
    private readonly configurations: FlagConfigurationRepository,
  ) {}

  async get(principal: Principal | undefined, address: ConfigurationAddress): Promise<ConfigurationView> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const project = await this.locator.project(db, caller.org.id, address.project);
    const flag = await this.locator.flag(db, project, address.flag);
    const environment = await this.locator.environment(db, project, address.env);
    await authorizeRead(this.deps.authorizer, db, caller, [
      { action: 'CanAccessEnv', resource: environmentRn(project.key, environment.key) },
    ]);
    const row = await requireConfiguration(this.configurations, db, flag, environment);
    return configurationView(flag.key, environment.key, configurationOf(row), row.updated_at);
  }

  /**
   * Applies any subset of the configuration fields. The actions needed come from what actually
   * changes; a stale `version` is refused before anything else is looked at.
   */
  async patch(
    principal: Principal | undefined,
    address: ConfigurationAddress,
    patch: ConfigurationPatch,
    meta: RequestMeta,
  ): Promise<ConfigurationView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      lane: flagLane(caller.org.id, address),
      // It writes only the staged configuration and its entry; its reads are the flag (confirmed), the
      // IAM state (confirmed through the IAM version) and the configuration (its version is checked).
      readsAhead: true,
      plan: async (tx) => {
        // Changes of one flag queue up on its row (definition edits, schedules and every environment).
        const { project, flag, environment, configuration } = await this.locator.lockedInEnvironment(
          tx,
          caller.org.id,
          address,
        );
        const row = await requireConfiguration(this.configurations, tx, flag, environment, configuration);
        const before = configurationOf(row);
        if (patch.version !== undefined && patch.version !== before.version) {
          throw new FlagwardError(
            'version-conflict',
            `${flag.key} in ${environment.key} is at version ${before.version}, not ${patch.version}; read it again`,
            { details: { currentVersion: before.version } },
          );
        }
        const definition = flagDefinitionOf(flag);
        const after = applyConfigurationPatch(before, patch);
        const errors = validateFlagConfiguration(after, definition);
        if (errors.length > 0) throw FlagwardError.validation(errors);
        return planConfigurationChange(this.configurations, {
          project,
          environment,
          flagId: flag.id,
          definition,
          before,
          updatedAt: row.updated_at,
          after,
          comment: patch.comment,
          now: this.deps.clock().toISOString(),
        });
      },
    });
  }
}
