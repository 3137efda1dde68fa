import {
  configurationChangeSummary,
  deriveConfigurationActions,
  type FlagConfiguration,
  type FlagDefinition,
  FlagwardError,
} from '@flagward/core';
import { environmentRn } from '../environments/environment.view';
import type { Plan } from '../governance/governed-change';
import type { EnvironmentRow, ProjectRow } from '../projects/project.repository';
import type { FlagConfigurationRepository } from './configuration.repository';
import { type ConfigurationView, configurationView, flagRn } from './flag.view';

export interface ConfigurationChange {
  project: Pick<ProjectRow, 'key'>;
  environment: Pick<EnvironmentRow, 'id' | 'key'>;
  flagId: string;
  definition: FlagDefinition;
  /** The stored configuration and when it was last changed. */
  before: FlagConfiguration;
  updatedAt: string;
  /** The intended configuration, already validated; its version is ignored. */
  after: FlagConfiguration;
  comment?: string | undefined;
  now: string;
}

/**
 * The governed plan of a configuration change (a PATCH or a scheduled rollout step): the actions come
 * from the diff, each one needed on the flag in this environment; nothing changed means no entry.
 */
export function planConfigurationChange(
  repository: FlagConfigurationRepository,
  change: ConfigurationChange,
): Plan<ConfigurationView> {
  const { project, environment, definition, before } = change;
  const actions = deriveConfigurationActions(before, change.after);
  if (actions.length === 0) {
    return {
      unchanged: true,
      result: configurationView(definition.key, environment.key, before, change.updatedAt),
      requirements: [{ action: 'CanAccessEnv', resource: environmentRn(project.key, environment.key) }],
    };
  }
  const after: FlagConfiguration = { ...change.after, version: before.version + 1 };
  const resource = flagRn(project.key, environment.key, definition.key);
  return {
    // The flag row was read (and locked) by the plan: its tags are the stored ones.
    requirements: actions.map((action) => ({ action, resource, flagTags: [...definition.tags] })),
    resource,
    project: project.key,
    environment: environment.key,
    flag: definition.key,
    summary: configurationChangeSummary(before, after, {
      flag: definition.key,
      environment: environment.key,
      kind: definition.kind,
      variations: definition.variations,
    }),
    before,
    after,
    comment: change.comment,
    apply: async (tx) => {
      const stored = await repository.replace(
        tx,
        change.flagId,
        environment.id,
        before.version,
        after,
        change.now,
      );
      if (!stored) {
        throw new FlagwardError(
          'version-conflict',
          `${definition.key} in ${environment.key} changed while this change was being made; read it again`,
        );
      }
      return configurationView(definition.key, environment.key, after, change.now);
    },
  };
}
