import { type FlagConfiguration, type FlagKind, initialConfiguration, type Variation } from '@flagward/core';
import type { DialectName, Executor, Tx } from '../db/database';
import type { FlagConfigurationsTable } from '../db/database.types';
import { jsonRecords } from '../db/dialect';
import { PreparedQuery } from '../db/prepared.query';
import { type ScopeAccess, StaleRead, scopeSlot, transactionScope } from '../db/transaction.scope';

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

/** A configuration written by a change of a scoped transaction and not stored yet. */
interface StagedConfiguration {
  readonly row: ConfigurationRow;
  /** The version the stored row must still have when it is written. */
  readonly expected: number;
}

interface StagedConfigurations {
  readonly dialect: DialectName;
  /** By {@link stagedKey}. */
  readonly rows: ReadonlyMap<string, StagedConfiguration>;
}

function stagedKey(flagId: string, environmentId: string): string {
  return `${flagId} ${environmentId}`;
}

/**
 * Configurations changed in a group-committed transaction, written together by one statement when
 * the scope is flushed (before COMMIT, or before a change that reads the table without this slot).
 * Until then every read through this repository sees them.
 */
const STAGED = scopeSlot<StagedConfigurations>('configuration writes', writeStaged);

async function writeStaged(tx: Tx, staged: StagedConfigurations): Promise<undefined> {
  if (staged.rows.size === 0) return undefined;
  const rows = [...staged.rows.values()].map(({ row, expected }) => ({
    flag_id: row.flag_id,
    environment_id: row.environment_id,
    configuration: row.configuration,
    version: row.version,
    updated_at: row.updated_at,
    expected,
  }));
  const written = await tx
    .updateTable('flag_configurations')
    .from(
      jsonRecords(staged.dialect, rows, {
        flag_id: 'text',
        environment_id: 'text',
        configuration: 'text',
        version: 'integer',
        updated_at: 'text',
        expected: 'integer',
      }).as('staged'),
    )
    .set((eb) => ({
      configuration: eb.ref('staged.configuration'),
      version: eb.ref('staged.version'),
      updated_at: eb.ref('staged.updated_at'),
    }))
    .whereRef('flag_configurations.flag_id', '=', 'staged.flag_id')
    .whereRef('flag_configurations.environment_id', '=', 'staged.environment_id')
    .whereRef('flag_configurations.version', '=', 'staged.expected')
    .executeTakeFirst();
  // Under the write lock the rows were locked when read, so a miss would be a bug: it fails the batch
  // rather than losing a change its audit entry records. Planned ahead of the lock, it is a stale read.
  if (Number(written.numUpdatedRows) !== rows.length) {
    throw new StaleRead(
      `${rows.length - Number(written.numUpdatedRows)} staged configuration(s) changed underneath`,
    );
  }
  return undefined;
}

/**
 * The configuration a scoped transaction staged for (flag, environment) in place of `stored`, the row
 * as the database has it.
 */
export function withStagedConfiguration(
  executor: Executor,
  flagId: string,
  environmentId: string,
  stored: ConfigurationRow | undefined,
): ConfigurationRow | undefined {
  return transactionScope(executor)?.get(STAGED)?.rows.get(stagedKey(flagId, environmentId))?.row ?? stored;
}

async function writeStagedConfigurations(executor: Executor): Promise<void> {
  const scope: ScopeAccess | undefined = transactionScope(executor);
  const staged = scope?.get(STAGED);
  if (!scope || !staged) return;
  await writeStaged(executor as unknown as Tx, staged);
  scope.set(STAGED, { dialect: staged.dialect, rows: new Map() });
}

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
    const stored = await executor
      .selectFrom('flag_configurations')
      .selectAll()
      .where('flag_id', '=', flagId)
      .where('environment_id', '=', environmentId)
      .executeTakeFirst();
    return withStagedConfiguration(executor, flagId, environmentId, stored);
  }

  async listForFlag(executor: Executor, flagId: string): Promise<ConfigurationRow[]> {
    await writeStagedConfigurations(executor);
    return executor.selectFrom('flag_configurations').selectAll().where('flag_id', '=', flagId).execute();
  }

  /** Every configuration of a project's flags. */
  async listForProject(executor: Executor, projectId: string): Promise<ConfigurationRow[]> {
    await writeStagedConfigurations(executor);
    return executor
      .selectFrom('flag_configurations')
      .innerJoin('flags', 'flags.id', 'flag_configurations.flag_id')
      .selectAll('flag_configurations')
      .where('flags.project_id', '=', projectId)
      .execute();
  }

  /** The configurations of these flags (a page of a list: at most about a thousand) in every environment. */
  async listForFlags(executor: Executor, flagIds: readonly string[]): Promise<ConfigurationRow[]> {
    await writeStagedConfigurations(executor);
    if (flagIds.length === 0) return [];
    return executor.selectFrom('flag_configurations').selectAll().where('flag_id', 'in', flagIds).execute();
  }

  /**
   * Stores `configuration` (whose version is the new one) only if the stored version is still
   * `expectedVersion`; false when someone else changed it in between. In a scoped transaction the
   * write is staged (see STAGED) and checked again when it is made.
   */
  async replace(
    executor: Executor,
    flagId: string,
    environmentId: string,
    expectedVersion: number,
    configuration: FlagConfiguration,
    now: string,
  ): Promise<boolean> {
    const row: ConfigurationRow = {
      flag_id: flagId,
      environment_id: environmentId,
      configuration: serializeConfiguration(configuration),
      version: configuration.version,
      updated_at: now,
    };
    const scope = transactionScope(executor);
    if (scope) {
      const staged = scope.get(STAGED);
      const key = stagedKey(flagId, environmentId);
      const earlier = staged?.rows.get(key);
      if (earlier && earlier.row.version !== expectedVersion) return false;
      const rows = new Map(staged?.rows);
      rows.set(key, { row, expected: earlier?.expected ?? expectedVersion });
      scope.set(STAGED, { dialect: this.dialect, rows });
      return true;
    }
    const result = await REPLACE_CONFIGURATION.execute(executor, this.dialect, {
      configuration: row.configuration,
      version: row.version,
      updatedAt: now,
      flagId,
      environmentId,
      expectedVersion,
    });
    return Number(result.numAffectedRows) === 1;
  }
}
