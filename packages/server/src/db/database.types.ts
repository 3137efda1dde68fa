import type { Generated } from 'kysely';

/**
 * Row shapes of every table. Times are ISO-8601 UTC strings with milliseconds (they sort correctly as
 * text in both dialects), booleans are 0/1 integers and JSON is stored as text, so one repository
 * code path serves SQLite and PostgreSQL alike.
 */
export interface OrganizationsTable {
  id: string;
  key: string;
  name: string;
  created_at: string;
}

export interface MembersTable {
  id: string;
  org_id: string;
  email: string;
  name: string;
  password_hash: string | null;
  org_role: 'owner' | 'admin' | 'member';
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface InvitationsTable {
  id: string;
  org_id: string;
  member_id: string;
  token_hash: string;
  expires_at: string;
  accepted_at: string | null;
  created_at: string;
}

export interface SessionsTable {
  id: string;
  member_id: string;
  token_hash: string;
  csrf_hash: string;
  created_at: string;
  expires_at: string;
}

export interface ApiTokensTable {
  id: string;
  org_id: string;
  member_id: string;
  name: string;
  secret_hash: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
  /** The policy the token is limited to (null: its member's full permissions). */
  policy_key: string | null;
  /** That policy's assignment parameters, JSON. */
  policy_params: string | null;
}

export interface GroupsTable {
  id: string;
  org_id: string;
  key: string;
  name: string;
  created_at: string;
}

export interface GroupMembersTable {
  group_id: string;
  member_id: string;
}

export interface ProjectsTable {
  id: string;
  org_id: string;
  key: string;
  name: string;
  created_at: string;
}

export interface EnvironmentsTable {
  id: string;
  project_id: string;
  key: string;
  name: string;
  production: number;
  tags: string;
  /** The server-side SDK key, encrypted at rest (AES-256-GCM). */
  server_key_encrypted: string;
  /** SHA-256 of the server-side SDK key, for lookup. */
  server_key_hash: string;
  client_id: string;
  position: number;
  created_at: string;
}

export interface AuditEntriesTable {
  org_id: string;
  seq: number;
  id: string;
  at: string;
  actor: string;
  actions: string;
  resource: string;
  project: string | null;
  environment: string | null;
  flag: string | null;
  summary: string;
  outcome: 'applied' | 'denied';
  reason: string | null;
  hash: string;
  /**
   * The complete entry as hashed (canonical JSON): every read of an entry parses it, so verification
   * never depends on column mapping. The columns above are copies that queries filter on.
   */
  body: string;
  /** The actor's email (or the member a system actor acted for), for filtering; null before migration 005. */
  actor_email: string | null;
}

/** The single row (id 1) whose version changes with every write to what principals are compiled from. */
export interface IamVersionTable {
  id: number;
  version: string;
}

export interface AuditHeadsTable {
  org_id: string;
  seq: number;
  hash: string;
  frontier: string;
}

export interface FlagsTable {
  id: string;
  project_id: string;
  key: string;
  name: string;
  description: string;
  tags: string;
  kind: 'boolean' | 'string' | 'number' | 'json';
  variations: string;
  archived: number;
  salt: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface FlagConfigurationsTable {
  flag_id: string;
  environment_id: string;
  /** JSON of {on, offVariation, targets, rules, fallthrough}. */
  configuration: string;
  version: number;
  updated_at: string;
}

export interface RolloutSchedulesTable {
  id: string;
  flag_id: string;
  environment_id: string;
  org_id: string;
  /** JSON array of {at, weights}. */
  steps: string;
  /** Index of the next step to apply; equals the number of steps when done. */
  next_step: number;
  /** When the next step is due; null when every step has been applied. */
  next_at: string | null;
  /** Member id on whose behalf the steps are applied. */
  scheduled_by: string;
  created_at: string;
}

export interface VariablesTable {
  environment_id: string;
  key: string;
  /** Plain for ordinary variables; sealed by SecretBox for secret ones. */
  value: string;
  secret: number;
  updated_at: string;
}

export interface PoliciesTable {
  id: string;
  org_id: string;
  key: string;
  name: string;
  description: string;
  /** JSON array of statements. */
  statements: string;
  created_at: string;
  updated_at: string;
}

export interface AssignmentsTable {
  id: string;
  org_id: string;
  policy_key: string;
  member_id: string | null;
  group_id: string | null;
  /** JSON of {project?, flag?, envs?}. */
  params: string;
  expires_at: string | null;
  expiry_recorded: number;
  created_by: string | null;
  created_at: string;
}

export interface ProtectionsTable {
  environment_id: string;
  /** JSON array of action names. */
  operations: string;
  /** JSON of {orgRoles?, policies?, groups?, members?}. */
  allowed: string;
  updated_at: string;
}

export interface AuditCheckpointsTable {
  org_id: string;
  size: number;
  /** Base64 Merkle root of the first `size` entries. */
  root: string;
  /** The C2SP signed note. */
  note: string;
  signed_at: string;
}

export interface Database {
  organizations: OrganizationsTable;
  members: MembersTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  projects: ProjectsTable;
  environments: EnvironmentsTable;
  audit_entries: AuditEntriesTable;
  audit_heads: AuditHeadsTable;
  audit_checkpoints: AuditCheckpointsTable;
  flags: FlagsTable;
  flag_configurations: FlagConfigurationsTable;
  rollout_schedules: RolloutSchedulesTable;
  variables: VariablesTable;
  policies: PoliciesTable;
  assignments: AssignmentsTable;
  protections: ProtectionsTable;
  iam_version: IamVersionTable;
  kysely_marker?: Generated<number>;
}
