import { type FlagConfiguration, type FlagKind, initialConfiguration, type Variation } from '@flagward/core';
import type { DialectName, Executor, Tx } from '../db/database';
import type { FlagConfigurationsTable } from '../db/database.types';
import { PreparedQuery } from '../db/prepared.query';

export type ConfigurationRow = FlagConfigurationsTable;

/** The stored form of a configuration: everything but `version`, which has its own column. */
export function serializeConfiguration(configuration: FlagConfiguration): string {
  const { on, offVariation, targets, rules, fallthrough } = configuration;
  return JSON.stringify({ on, offVariation, targets, rules, fallthrough });
}

export function configurationOf(row: ConfigurationRow): FlagConfiguration {
  return { ...(JSON.parse(row.configuration) as Omit<FlagConfiguration, 'version'>), version: row.version };
}

/** The configuration rows a new flag gets: off, in every environment. */
export function initialConfigurationRows(
  flag: { id: string; kind: FlagKind; variations: readonly Variation[] },
  environmentIds: readonly string[],
  now: string,
): ConfigurationRow[] {
  const configuration = initialConfiguration(flag);
  return environmentIds.map((environmentId) => ({
    flag_id: flag.id,
    environment_id: environmentId,
    configuration: serializeConfiguration(configuration),
    version: configuration.version,
    updated_at: now,
  }));
}

/** Compare-and-set of one configuration; prepared, as it runs for every configuration change. */
const REPLACE_CONFIGURATION = new PreparedQuery(
  ['configuration', 'version', 'updatedAt', 'flagId', 'environmentId', 'expectedVersion'],
  (
    executor,
    p: {
      configuration: string;
      version: number;
      updatedAt: string;
      flagId: string;
      environmentId: string;
      expectedVersion: number;
    },
  ) =>
    executor
      .updateTable('flag_configurations')
      .set({ configuration: p.configuration, version: p.version, updated_at: p.updatedAt })
      .where('flag_id', '=', p.flagId)
      .where('environment_id', '=', p.environmentId)
      .where('version', '=', p.expectedVersion),
);

/** One configuration per (flag, environment). */
export class FlagConfigurationRepository {
  constructor(private readonly dialect: DialectName) {}

  async insertMany(executor: Executor, rows: ConfigurationRow[]): Promise<void> {
    if (rows.length === 0) return;
    await executor.insertInto('flag_configurations').values(rows).execute();
  }

  /**
   * Gives every flag of a project its initial configuration in a new environment (called inside the
   * environment's creating transaction, so a flag is never without a configuration anywhere).
   */
  async seedEnvironment(tx: Tx, projectId: string, environmentId: string, now: string): Promise<void> {
    const flags = await tx
      .selectFrom('flags')
      .select(['id', 'kind', 'variations'])
      .where('project_id', '=', projectId)
      .execute();
    await this.insertMany(
      tx,
      flags.flatMap((flag) =>
        initialConfigurationRows(
          { id: flag.id, kind: flag.kind, variations: JSON.parse(flag.variations) as Variation[] },
          [environmentId],
          now,
        ),
      ),
    );
  }

  async find(
    executor: Executor,
    flagId: string,
    environmentId: string,
  ): Promise<ConfigurationRow | undefined> {
    return executor
      .selectFrom('flag_configurations')
      .selectAll()
      .where('flag_id', '=', flagId)
      .where('environment_id', '=', environmentId)
      .executeTakeFirst();
  }

  async listForFlag(executor: Executor, flagId: string): Promise<ConfigurationRow[]> {
    return executor.selectFrom('flag_configurations').selectAll().where('flag_id', '=', flagId).execute();
  }

  async listForProject(executor: Executor, projectId: string): Promise<ConfigurationRow[]> {
    return executor
      .selectFrom('flag_configurations')
      .innerJoin('flags', 'flags.id', 'flag_configurations.flag_id')
      .selectAll('flag_configurations')
      .where('flags.project_id', '=', projectId)
      .execute();
  }

  /**
   * Stores `configuration` (whose version is the new one) only if the stored version is still
   * `expectedVersion`; false when someone else changed it in between.
   */
  async replace(
    executor: Executor,
    flagId: string,
    environmentId: string,
    expectedVersion: number,
    configuration: FlagConfiguration,
    now: string,
  ): Promise<boolean> {
    const result = await REPLACE_CONFIGURATION.execute(executor, this.dialect, {
      configuration: serializeConfiguration(configuration),
      version: configuration.version,
      updatedAt: now,
      flagId,
      environmentId,
      expectedVersion,
    });
    return Number(result.numAffectedRows) === 1;
  }
}
