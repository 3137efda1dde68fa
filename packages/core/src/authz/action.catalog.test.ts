import { describe, expect, it } from 'vitest';
import {
  ACTION_CATALOG,
  ACTION_NAMES,
  type ActionScope,
  actionsFor,
  getAction,
  grantableActionsFor,
  isActionName,
  isEnvironmentAction,
  suggestAction,
} from './action.catalog';

// DESIGN §4 table, plus the org-level IAM actions decided in action.catalog.ts.
const expected: Record<string, [string, ActionScope]> = {
  UpdateOrgSettings: ['org', 'single'],
  DeleteOrg: ['org', 'single'],
  TransferOwnership: ['org', 'single'],
  CreateProject: ['org', 'single'],
  ReadAuditLog: ['org', 'single'],
  ManageMembers: ['org', 'single'],
  ManageGroups: ['org', 'single'],
  ManagePolicies: ['org', 'single'],
  CanAccessProject: ['project', 'single'],
  UpdateProjectSettings: ['project', 'single'],
  DeleteProject: ['project', 'single'],
  CreateEnv: ['project', 'single'],
  ManageProjectAccess: ['project', 'single'],
  CanAccessEnv: ['env', 'single'],
  UpdateEnvSettings: ['env', 'single'],
  DeleteEnv: ['env', 'single'],
  ReadEnvSecret: ['env', 'single'],
  RotateEnvSecret: ['env', 'single'],
  ManageProtectedOperations: ['env', 'single'],
  UpdateFlagOn: ['flag', 'single'],
  UpdateFlagRollout: ['flag', 'single'],
  UpdateFlagTargetingRules: ['flag', 'single'],
  UpdateFlagIndividualTargeting: ['flag', 'single'],
  UpdateFlagDefaultRule: ['flag', 'single'],
  UpdateFlagOffVariation: ['flag', 'single'],
  ScheduleFlagRollout: ['flag', 'single'],
  UpdateFlagDetails: ['flag', 'every-env'],
  UpdateFlagTags: ['flag', 'every-env'],
  UpdateFlagVariations: ['flag', 'every-env'],
  ArchiveFlag: ['flag', 'every-env'],
  RestoreFlag: ['flag', 'every-env'],
  DeleteFlag: ['flag', 'every-env'],
  ManageFlagPermissions: ['flag', 'grant-envs'],
  CreateFlag: ['flag', 'any-env'],
  ReadVariable: ['var', 'single'],
  WriteVariable: ['var', 'single'],
  DeleteVariable: ['var', 'single'],
  CreateSegment: ['segment', 'single'],
  UpdateSegment: ['segment', 'single'],
  DeleteSegment: ['segment', 'single'],
};

describe('action catalog', () => {
  it('has exactly the actions of DESIGN §4 with their resource type and scope', () => {
    expect([...ACTION_NAMES].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, [type, scope]] of Object.entries(expected)) {
      expect(getAction(name), name).toMatchObject({ name, resourceType: type, scope });
      expect(getAction(name)?.description.length).toBeGreaterThan(0);
    }
    expect(ACTION_NAMES).toHaveLength(40);
  });

  it('marks exactly the owner-only org actions', () => {
    expect(ACTION_NAMES.filter((n) => ACTION_CATALOG[n].ownerOnly).sort()).toEqual([
      'DeleteOrg',
      'TransferOwnership',
      'UpdateOrgSettings',
    ]);
    expect(grantableActionsFor('org')).toEqual([
      'CreateProject',
      'ReadAuditLog',
      'ManageMembers',
      'ManageGroups',
      'ManagePolicies',
    ]);
    expect(actionsFor('org')).toContain('DeleteOrg');
  });

  it('has no action on IAM resource names (IAM operations are org-level)', () => {
    for (const type of ['member', 'group', 'policy', 'token'] as const) expect(actionsFor(type)).toEqual([]);
  });

  it('recognises names exactly and suggests near misses', () => {
    expect(isActionName('UpdateFlagOn')).toBe(true);
    expect(isActionName('updateFlagOn')).toBe(false);
    expect(isActionName('toString')).toBe(false);
    expect(getAction('constructor')).toBeUndefined();
    expect(suggestAction('updateflagon')).toBe('UpdateFlagOn');
    expect(suggestAction('UpdateFlagRolout')).toBe('UpdateFlagRollout');
    expect(suggestAction('Completely different')).toBeUndefined();
  });

  it('knows which actions live inside environments', () => {
    expect(isEnvironmentAction('WriteVariable')).toBe(true);
    expect(isEnvironmentAction('CanAccessEnv')).toBe(true);
    expect(isEnvironmentAction('CreateEnv')).toBe(false);
  });
});
