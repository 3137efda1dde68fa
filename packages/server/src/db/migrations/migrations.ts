import type { Migration, MigrationProvider } from 'kysely';
import { identityProjectsAudit } from './001-identity-projects-audit';
import { flagsVariablesSchedules } from './002-flags-variables-schedules';
import { policiesAssignmentsProtections } from './003-policies-assignments-protections';
import { appendOnlyAudit } from './004-append-only-audit';
import { auditQueryColumns } from './005-audit-query-columns';
import { iamVersion } from './006-iam-version';
import { auditResourceIndex } from './007-audit-resource-index';
import { tokenPolicy } from './008-token-policy';
import { slimAuditRows } from './009-slim-audit-rows';

/** Every migration, in order. Names are stable: never rename one that has shipped. */
const migrations: Record<string, Migration> = {
  '001-identity-projects-audit': identityProjectsAudit,
  '002-flags-variables-schedules': flagsVariablesSchedules,
  '003-policies-assignments-protections': policiesAssignmentsProtections,
  '004-append-only-audit': appendOnlyAudit,
  '005-audit-query-columns': auditQueryColumns,
  '006-iam-version': iamVersion,
  '007-audit-resource-index': auditResourceIndex,
  '008-token-policy': tokenPolicy,
  '009-slim-audit-rows': slimAuditRows,
};

/** Supplies the in-code migrations to Kysely's Migrator (no filesystem scanning, works from any cwd). */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
