import { describe, expect, it } from 'vitest';
import { FlagwardError } from '../errors/flagward-error';
import { BUILTIN_POLICY_LIST } from './builtin-policies';
import { assertValidStatements, validatePolicyInput, validateStatements } from './policy.validation';

describe('validateStatements', () => {
  it('accepts well-formed statements, * included', () => {
    expect(
      validateStatements([
        {
          effect: 'allow',
          actions: ['UpdateFlagOn', 'UpdateFlagRollout'],
          resources: ['project/*:env/dev*:flag/*'],
        },
        {
          effect: 'deny',
          actions: ['*'],
          resources: ['project/a:env/*;production', 'project/a:env/*:flag/*'],
        },
        { effect: 'allow', actions: ['ManageMembers'], resources: ['org'] },
        { effect: 'deny', actions: ['DeleteOrg'], resources: ['org'] },
      ]),
    ).toEqual([]);
  });

  it('accepts every built-in policy', () => {
    for (const p of BUILTIN_POLICY_LIST) expect(validatePolicyInput(p), p.key).toEqual([]);
  });

  it('rejects an action that does not apply to a pattern of its statement, naming both', () => {
    expect(
      validateStatements([
        { effect: 'allow', actions: ['CanAccessEnv', 'UpdateFlagOn'], resources: ['project/a:env/*'] },
      ]),
    ).toEqual([
      {
        path: 'statements[0].actions[1]',
        message:
          'UpdateFlagOn applies to flag resources, but resources[0] ("project/a:env/*") selects env resources',
      },
    ]);
    const mixed = validateStatements([
      { effect: 'allow', actions: ['UpdateFlagOn'], resources: ['project/a:env/*:flag/*', 'project/a'] },
    ]);
    expect(mixed[0]?.message).toMatch(/resources\[1\] \("project\/a"\) selects project resources/);
  });

  it('rejects unknown actions with a suggestion', () => {
    expect(
      validateStatements([{ effect: 'allow', actions: ['updateFlagOn'], resources: ['project/a'] }]),
    ).toEqual([
      {
        path: 'statements[0].actions[0]',
        message: 'unknown action "updateFlagOn" (did you mean "UpdateFlagOn"?)',
      },
    ]);
  });

  it('rejects granting owner-only actions', () => {
    expect(
      validateStatements([{ effect: 'allow', actions: ['TransferOwnership'], resources: ['org'] }]),
    ).toEqual([
      {
        path: 'statements[0].actions[0]',
        message: 'TransferOwnership is reserved to the organization owner and cannot be granted by a policy',
      },
    ]);
  });

  it('rejects malformed patterns with their position', () => {
    expect(
      validateStatements([{ effect: 'allow', actions: ['*'], resources: ['project/a', 'project/a:flg/x'] }]),
    ).toEqual([
      {
        path: 'statements[0].resources[1]',
        message: expect.stringMatching(/^at position 10: unknown resource type "flg"/),
      },
    ]);
  });

  it('rejects patterns no action applies to', () => {
    expect(validateStatements([{ effect: 'allow', actions: ['*'], resources: ['member/*'] }])).toEqual([
      {
        path: 'statements[0].resources[0]',
        message: expect.stringMatching(/^no action applies to member resources: IAM operations/),
      },
    ]);
  });

  it('checks shapes', () => {
    expect(validateStatements('x')).toEqual([
      { path: 'statements', message: 'must be an array of statements' },
    ]);
    const errors = validateStatements([null, { effect: 'permit', actions: [], resources: 'org' }]);
    expect(errors.map((e) => e.path)).toEqual([
      'statements[0]',
      'statements[1].effect',
      'statements[1].actions',
      'statements[1].resources',
    ]);
    expect(validateStatements(Array.from({ length: 101 }, () => ({})))[0]?.message).toMatch(/at most 100/);
  });
});

describe('validatePolicyInput / assertValidStatements', () => {
  it('checks key, name and description', () => {
    expect(
      validatePolicyInput({ key: 'a b', name: ' ', description: 5, statements: [] }).map((e) => e.path),
    ).toEqual(['key', 'name', 'description']);
  });

  it('throws a validation error listing every problem', () => {
    try {
      assertValidStatements([{ effect: 'allow', actions: ['Nope', 'UpdateFlagOn'], resources: ['org'] }]);
      expect.fail('should throw');
    } catch (err) {
      expect(err).toBeInstanceOf(FlagwardError);
      expect((err as FlagwardError).errors).toHaveLength(2);
    }
  });
});
