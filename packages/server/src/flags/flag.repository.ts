import type { DialectName, Executor } from '../db/database';
import type {
  EnvironmentsTable,
  FlagConfigurationsTable,
  FlagsTable,
  ProjectsTable,
} from '../db/database.types';
import { jsonArrayContains, jsonRecords, lockRows } from '../db/dialect';
import { GatheredLoad } from '../db/gathered.load';
import { PreparedQuery } from '../db/prepared.query';
import { transactionScope } from '../db/transaction.scope';
import { withStagedConfiguration } from './configuration.repository';

export type FlagRow = FlagsTable;

/** A flag row with its creator's email (null when the creator is gone). */
export interface FlagRecord extends FlagRow {
  created_by_email: string | null;
}

export interface FlagFilter {
  archived?: boolean | undefined;
  tag?: string | undefined;
  /** Only flags whose key sorts after this one (the last of the previous page). */
  after?: string | undefined;
  /** At most this many flags. */
  limit?: number | undefined;
}

/** A flag locked for a change, with its project, one environment and its configuration there. */
export interface FlagInEnvironment {
  project: ProjectsTable;
  flag: FlagsTable;
  environment: EnvironmentsTable;
  configuration: FlagConfigurationsTable | undefined;
}

/** Splits a joined row whose columns carry a table prefix (`p_`, `f_`, `e_`, `c_`) back into rows. */
function splitJoinedRow(row: Record<string, unknown>): FlagInEnvironment {
  const parts: Record<string, Record<string, unknown>> = { p: {}, f: {}, e: {}, c: {} };
  for (const name in row) parts[name[0]!]![name.slice(2)] = row[name];
  return {
    project: parts.p as unknown as ProjectsTable,
    flag: parts.f as unknown as FlagsTable,
    environment: parts.e as unknown as EnvironmentsTable,
    configuration: row.c_flag_id === null ? undefined : (parts.c as unknown as FlagConfigurationsTable),
  };
}

/** The columns of a flag in an environment, prefixed by table (see splitJoinedRow). */
const FLAG_IN_ENVIRONMENT_COLUMNS = [
  'projects.id as p_id',
  'projects.org_id as p_org_id',
  'projects.key as p_key',
  'projects.name as p_name',
  'projects.created_at as p_created_at',
  'flags.id as f_id',
  'flags.project_id as f_project_id',
  'flags.key as f_key',
  'flags.name as f_name',
  'flags.description as f_description',
  'flags.tags as f_tags',
  'flags.kind as f_kind',
  'flags.variations as f_variations',
  'flags.archived as f_archived',
  'flags.salt as f_salt',
  'flags.created_by as f_created_by',
  'flags.created_at as f_created_at',
  'flags.updated_at as f_updated_at',
  'environments.id as e_id',
  'environments.project_id as e_project_id',
  'environments.key as e_key',
  'environments.name as e_name',
  'environments.production as e_production',
  'environments.tags as e_tags',
  'environments.server_key_encrypted as e_server_key_encrypted',
  'environments.server_key_hash as e_server_key_hash',
  'environments.client_id as e_client_id',
  'environments.position as e_position',
  'environments.created_at as e_created_at',
  'flag_configurations.flag_id as c_flag_id',
  'flag_configurations.environment_id as c_environment_id',
  'flag_configurations.configuration as c_configuration',
  'flag_configurations.version as c_version',
  'flag_configurations.updated_at as c_updated_at',
] as const;

/** Keys of a flag in one environment: project, flag and environment key. */
export type FlagInEnvironmentKeys = {
  project: string;
  flag: string;
  env: string;
};

function keysId(keys: FlagInEnvironmentKeys): string {
  return `${keys.project} ${keys.flag} ${keys.env}`;
}

/**
 * The project, the flag, one environment and the flag's configuration there, by keys. Only the flag
 * row is locked, as when the three are read one by one. Prepared: it runs for every flag change.
 */
const FLAG_IN_ENVIRONMENT = new PreparedQuery(
  ['orgId', 'project', 'flag', 'env'],
  (executor, p: { orgId: string } & FlagInEnvironmentKeys, dialect) =>
    lockRows(
      dialect,
      executor
        .selectFrom('flags')
        .innerJoin('projects', 'projects.id', 'flags.project_id')
        .innerJoin('environments', (join) =>
          join.onRef('environments.project_id', '=', 'projects.id').on('environments.key', '=', p.env),
        )
        .leftJoin('flag_configurations', (join) =>
          join
            .onRef('flag_configurations.flag_id', '=', 'flags.id')
            .onRef('flag_configurations.environment_id', '=', 'environments.id'),
        )
        .select(FLAG_IN_ENVIRONMENT_COLUMNS)
        .where('projects.org_id', '=', p.orgId)
        .where('projects.key', '=', p.project)
        .where('flags.key', '=', p.flag),
      'flags',
    ),
);

/** The same rows for many keys at once (the changes of a batch), matched by the keys they carry. */
async function flagsInEnvironments(
  executor: Executor,
  dialect: DialectName,
  orgId: string,
  keys: readonly FlagInEnvironmentKeys[],
): Promise<Map<string, FlagInEnvironment>> {
  const unique = [...new Map(keys.map((k) => [keysId(k), k])).values()];
  const rows = await lockRows(
    dialect,
    executor
      .selectFrom(jsonRecords(dialect, unique, { project: 'text', flag: 'text', env: 'text' }).as('wanted'))
      // A cross join, so that SQLite looks up each wanted row instead of scanning a project's flags.
      .crossJoin('projects')
      .whereRef('projects.key', '=', 'wanted.project')
      .innerJoin('flags', (join) =>
        join.onRef('flags.project_id', '=', 'projects.id').onRef('flags.key', '=', 'wanted.flag'),
      )
      .innerJoin('environments', (join) =>
        join
          .onRef('environments.project_id', '=', 'projects.id')
          .onRef('environments.key', '=', 'wanted.env'),
      )
      .leftJoin('flag_configurations', (join) =>
        join
          .onRef('flag_configurations.flag_id', '=', 'flags.id')
          .onRef('flag_configurations.environment_id', '=', 'environments.id'),
      )
      .select(FLAG_IN_ENVIRONMENT_COLUMNS)
      .where('projects.org_id', '=', orgId)
      // Rows are locked in this order: two processes' batches wanting the same flags never each
      // hold one the other waits for because of this statement.
      .orderBy('flags.id'),
    'flags',
  ).execute();
  const found = new Map<string, FlagInEnvironment>();
  for (const row of rows) {
    const split = splitJoinedRow(row);
    found.set(
      keysId({ project: split.project.key, flag: split.flag.key, env: split.environment.key }),
      split,
    );
  }
  // Read ahead of the write lock, the plans rely on these flags as they were (tags, variations …).
  const flags = new Map([...found.values()].map((f) => [f.flag.id, f.flag]));
  const ids = [...flags.keys()].sort();
  transactionScope(executor)?.expect(`flags ${ids.join(' ')}`, async (tx) => {
    const now = await tx.selectFrom('flags').selectAll().where('id', 'in', ids).execute();
    return now.length === flags.size && now.every((row) => sameRow(row, flags.get(row.id)));
  });
  return found;
}

function sameRow(a: FlagsTable, b: FlagsTable | undefined): boolean {
  return (
    b !== undefined && (Object.keys(b) as Array<keyof FlagsTable>).every((column) => a[column] === b[column])
  );
}

export class FlagRepository {
  constructor(private readonly dialect: DialectName) {}

  private records(executor: Executor) {
    return executor
      .selectFrom('flags')
      .leftJoin('members', 'members.id', 'flags.created_by')
      .selectAll('flags')
      .select('members.email as created_by_email');
  }

  async insert(executor: Executor, row: FlagRow): Promise<void> {
    await executor.insertInto('flags').values(row).execute();
  }

  async findByKey(executor: Executor, projectId: string, key: string): Promise<FlagRecord | undefined> {
    return this.records(executor)
      .where('flags.project_id', '=', projectId)
      .where('flags.key', '=', key)
      .executeTakeFirst();
  }

  /** The flag row, locked until the transaction ends (PostgreSQL; SQLite serialises writers). */
  async findByKeyForUpdate(executor: Executor, projectId: string, key: string): Promise<FlagRow | undefined> {
    return lockRows(
      this.dialect,
      executor.selectFrom('flags').selectAll().where('project_id', '=', projectId).where('key', '=', key),
    ).executeTakeFirst();
  }

  /**
   * The project, the flag (locked, as `findByKeyForUpdate`), the environment and the flag's
   * configuration there, by keys, in one query; undefined when any of the three is missing.
   */
  async findInEnvironmentForUpdate(
    executor: Executor,
    orgId: string,
    keys: FlagInEnvironmentKeys,
  ): Promise<FlagInEnvironment | undefined> {
    const scope = transactionScope(executor);
    let found: FlagInEnvironment | undefined;
    if (scope) {
      // The changes of a batch running side by side ask at the same moment: one query for them all.
      const loads = scope.shared(`flags in environments ${orgId}`, () => {
        return new GatheredLoad(
          (wanted: FlagInEnvironmentKeys[]) => flagsInEnvironments(executor, this.dialect, orgId, wanted),
          keysId,
        );
      });
      found = await loads.get(keys);
    } else {
      const { rows } = await FLAG_IN_ENVIRONMENT.execute(executor, this.dialect, { orgId, ...keys });
      const row = rows[0];
      found = row === undefined ? undefined : splitJoinedRow(row);
    }
    if (found === undefined) return undefined;
    const configuration = withStagedConfiguration(
      executor,
      found.flag.id,
      found.environment.id,
      found.configuration,
    );
    return configuration === found.configuration ? found : { ...found, configuration };
  }

  /** The flag row by id, locked until the transaction ends. */
  async findByIdForUpdate(executor: Executor, id: string): Promise<FlagRow | undefined> {
    return lockRows(
      this.dialect,
      executor.selectFrom('flags').selectAll().where('id', '=', id),
    ).executeTakeFirst();
  }

  async emailOf(executor: Executor, memberId: string | null): Promise<string | null> {
    if (memberId === null) return null;
    const row = await executor
      .selectFrom('members')
      .select('email')
      .where('id', '=', memberId)
      .executeTakeFirst();
    return row?.email ?? null;
  }

  /** A project's flags in key order. */
  async list(executor: Executor, projectId: string, filter: FlagFilter = {}): Promise<FlagRecord[]> {
    let query = this.records(executor).where('flags.project_id', '=', projectId);
    if (filter.archived !== undefined) query = query.where('flags.archived', '=', filter.archived ? 1 : 0);
    if (filter.tag !== undefined)
      query = query.where(jsonArrayContains(this.dialect, 'flags.tags', filter.tag));
    if (filter.after !== undefined) query = query.where('flags.key', '>', filter.after);
    query = query.orderBy('flags.key');
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return query.execute();
  }

  async update(
    executor: Executor,
    id: string,
    changes: Partial<
      Pick<FlagRow, 'name' | 'description' | 'tags' | 'variations' | 'archived' | 'updated_at'>
    >,
  ): Promise<void> {
    await executor.updateTable('flags').set(changes).where('id', '=', id).execute();
  }

  /** Removes a flag with its configurations and rollout schedules. */
  async delete(executor: Executor, id: string): Promise<void> {
    await executor.deleteFrom('rollout_schedules').where('flag_id', '=', id).execute();
    await executor.deleteFrom('flag_configurations').where('flag_id', '=', id).execute();
    await executor.deleteFrom('flags').where('id', '=', id).execute();
  }
}
