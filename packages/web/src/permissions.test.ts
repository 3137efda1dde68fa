import { describe, expect, it } from 'vitest';
import { canFrom } from './permissions';

describe('what the console offers', () => {
  const can = canFrom({
    member: 'dev@acme.com',
    orgRole: 'member',
    organization: ['ReadAuditLog'],
    projects: [
      {
        project: 'shop',
        actions: ['CanAccessProject', 'CreateEnv'],
        environments: [
          {
            environment: 'dev',
            actions: ['CanAccessEnv', 'ReadEnvSecret'],
            flagActions: [],
            variableActions: [],
          },
        ],
      },
    ],
  });

  it('answers from the exact matrix', () => {
    expect(can.org('ReadAuditLog')).toBe(true);
    expect(can.org('ManagePolicies')).toBe(false);
    expect(can.project('shop', 'CreateEnv')).toBe(true);
    expect(can.project('other', 'CreateEnv')).toBe(false);
    expect(can.env('shop', 'dev', 'ReadEnvSecret')).toBe(true);
    expect(can.env('shop', 'dev', 'RotateEnvSecret')).toBe(false);
    expect(can.anyProject('CreateEnv')).toBe(true);
    expect(can.anyProject('ManageProjectAccess')).toBe(false);
  });

  it('offers everything when the matrix is unknown (the server decides)', () => {
    const open = canFrom(null);
    expect(open.org('ManagePolicies')).toBe(true);
    expect(open.env('a', 'b', 'c')).toBe(true);
  });
});
