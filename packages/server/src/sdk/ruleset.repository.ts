import type { Executor } from '../db/database';
import type { EnvironmentRow } from '../projects/project.repository';

/** The organization and project an environment belongs to, by id and by key. */
export interface EnvironmentScope {
  orgId: string;
  orgKey: string;
  projectId: string;
  projectKey: string;
}

/** A flag and its configuration in one environment (`configuration` is null when it has no row yet). */
export interface FlagInEnvironmentRow {
  key: string;
  kind: 'boolean' | 'string' | 'number' | 'json';
  variations: string;
  archived: number;
  salt: string;
  configuration: string | null;
  version: number | null;
}

/** An applied audit entry that may change a ruleset: about a flag, an environment or a project. */
export interface RulesetChangeRow {
  seq: number;
  flag: string | null;
  environment: string | null;
  hash: string;
}

/**
 * Read-only queries the SDK endpoints need: rulesets (flags with their configuration in one
 * environment), the audit entries that changed them, and the organization's audit head.
 */
export class RulesetRepository {
  async environmentById(executor: Executor, id: string): Promise<EnvironmentRow | undefined> {
    return executor.selectFrom('environments').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async scopeOfProject(executor: Executor, projectId: string): Promise<EnvironmentScope | undefined> {
    const row = await executor
      .selectFrom('projects')
      .innerJoin('organizations', 'organizations.id', 'projects.org_id')
      .select([
        'organizations.id as orgId',
        'organizations.key as orgKey',
        'projects.id as projectId',
        'projects.key as projectKey',
      ])
      .where('projects.id', '=', projectId)
      .executeTakeFirst();
    return row;
  }

  /** The organization's last audit `seq` (0 for an empty log): the version of its rulesets. */
  async auditHead(executor: Executor, orgId: string): Promise<number> {
    const row = await executor
      .selectFrom('audit_heads')
      .select('seq')
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return row === undefined ? 0 : Number(row.seq);
  }

  /** The flags of a project (all, or those with the given keys) with their configuration in an environment. */
  async flagsInEnvironment(
    executor: Executor,
    projectId: string,
    environmentId: string,
    keys?: readonly string[],
  ): Promise<FlagInEnvironmentRow[]> {
    let query = executor
      .selectFrom('flags')
      .leftJoin('flag_configurations', (join) =>
        join
          .onRef('flag_configurations.flag_id', '=', 'flags.id')
          .on('flag_configurations.environment_id', '=', environmentId),
      )
      .select([
        'flags.key as key',
        'flags.kind as kind',
        'flags.variations as variations',
        'flags.archived as archived',
        'flags.salt as salt',
        'flag_configurations.configuration as configuration',
        'flag_configurations.version as version',
      ])
      .where('flags.project_id', '=', projectId);
    if (keys !== undefined) {
      if (keys.length === 0) return [];
      query = query.where('flags.key', 'in', [...keys]);
    }
    return query.orderBy('flags.key').execute();
  }

  /**
   * The latest applied entry (seq ≤ `upTo`) about each flag of a project in an environment, counting
   * entries about the flag itself (no environment): what `auditHash` names.
   */
  async latestFlagEntries(
    executor: Executor,
    orgId: string,
    projectKey: string,
    environmentKey: string,
    upTo: number,
  ): Promise<Array<{ flag: string; seq: number; hash: string }>> {
    const latest = executor
      .selectFrom('audit_entries')
      .select(['flag', (eb) => eb.fn.max('seq').as('seq')])
      .where('org_id', '=', orgId)
      .where('project', '=', projectKey)
      .where((eb) => eb.or([eb('environment', '=', environmentKey), eb('environment', 'is', null)]))
      .where('flag', 'is not', null)
      .where('outcome', '=', 'applied')
      .where('seq', '<=', upTo)
      .groupBy('flag')
      .as('latest');
    const rows = await executor
      .selectFrom('audit_entries')
      .innerJoin(latest, (join) => join.onRef('latest.seq', '=', 'audit_entries.seq'))
      .select(['audit_entries.flag as flag', 'audit_entries.seq as seq', 'audit_entries.hash as hash'])
      .where('audit_entries.org_id', '=', orgId)
      .execute();
    return rows.map((r) => ({ flag: r.flag as string, seq: Number(r.seq), hash: r.hash }));
  }

  /**
   * Applied entries in (`after`, `upTo`] that may change the ruleset of an environment: about the
   * environment (a flag in it, its keys, its deletion) or about the project or its flags as a whole.
   */
  async changesBetween(
    executor: Executor,
    orgId: string,
    projectKey: string,
    environmentKey: string,
    after: number,
    upTo: number,
  ): Promise<RulesetChangeRow[]> {
    const rows = await executor
      .selectFrom('audit_entries')
      .select(['seq', 'flag', 'environment', 'hash'])
      .where('org_id', '=', orgId)
      .where('project', '=', projectKey)
      .where((eb) => eb.or([eb('environment', '=', environmentKey), eb('environment', 'is', null)]))
      .where('outcome', '=', 'applied')
      .where('seq', '>', after)
      .where('seq', '<=', upTo)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }
}
