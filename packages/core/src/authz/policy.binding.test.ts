import { describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES } from './builtin-policies';
import { bindPolicy, policyPlaceholders, validateAssignmentParams } from './policy.binding';
import type { Policy } from './policy.types';
import { activeAssignments } from './policy.types';

const sources = (p: Policy, params: Parameters<typeof bindPolicy>[1]) =>
  bindPolicy(p, params).map((s) => s.resources.map((r) => r.source));

describe('bindPolicy', () => {
  it('binds project and defaults envs to *', () => {
    expect(sources(BUILTIN_POLICIES['project-reader'], { project: 'shop' })).toEqual([
      ['project/shop'],
      ['project/shop:env/*'],
    ]);
  });

  it('expands several env patterns into several patterns of the same statement', () => {
    const bound = bindPolicy(BUILTIN_POLICIES['flag-owner'], {
      project: 'shop',
      flag: 'checkout',
      envs: ['dev', 'qa*'],
    });
    expect(bound).toHaveLength(1);
    expect(bound[0]).toMatchObject({ policy: 'flag-owner', index: 0, effect: 'allow', actions: ['*'] });
    expect(bound[0]?.resources.map((r) => r.source)).toEqual([
      'project/shop:env/dev:flag/checkout',
      'project/shop:env/qa*:flag/checkout',
    ]);
  });

  it('keeps statement indexes and project-level patterns when narrowing envs', () => {
    const s = sources(BUILTIN_POLICIES['non-production-access'], { project: 'shop', envs: ['dev'] });
    expect(s[0]).toEqual(['project/shop']);
    expect(s[2]).toEqual(['project/shop:env/dev;non-production:flag/*']);
  });

  it('rejects missing, superfluous and malformed parameters', () => {
    expect(validateAssignmentParams(BUILTIN_POLICIES['flag-user'], { project: 'shop' })).toEqual([
      { path: 'params.flag', message: 'required by policy "flag-user"' },
    ]);
    expect(
      validateAssignmentParams(BUILTIN_POLICIES['project-reader'], { project: 'shop', flag: 'x' }),
    ).toEqual([{ path: 'params.flag', message: 'policy "project-reader" takes no flag parameter' }]);
    expect(
      validateAssignmentParams(BUILTIN_POLICIES['project-reader'], {
        project: 'a:b',
        envs: ['ok', 'a;production'],
      }),
    ).toEqual([
      { path: 'params.project', message: expect.any(String) },
      { path: 'params.envs[1]', message: expect.stringMatching(/not allowed/) },
    ]);
    expect(
      validateAssignmentParams(BUILTIN_POLICIES['project-reader'], { project: 'a', envs: [] })[0]?.path,
    ).toBe('params.envs');
    const custom: Policy = {
      key: 'audit',
      name: 'Audit',
      description: '',
      builtIn: false,
      statements: [{ effect: 'allow', actions: ['ReadAuditLog'], resources: ['org'] }],
    };
    expect(validateAssignmentParams(custom, { envs: ['dev'] })).toEqual([
      { path: 'params.envs', message: 'policy "audit" takes no envs parameter' },
    ]);
    expect(() => bindPolicy(BUILTIN_POLICIES['flag-owner'], { project: 'shop' })).toThrowError(
      /params\.flag/,
    );
  });

  it('lists the placeholders of a policy', () => {
    expect(policyPlaceholders(BUILTIN_POLICIES['flag-owner'])).toEqual(['project', 'env', 'flag']);
    expect(policyPlaceholders(BUILTIN_POLICIES['project-admin'])).toEqual(['project', 'env']);
  });
});

describe('activeAssignments', () => {
  it('drops assignments at and after their expiry instant', () => {
    const now = new Date('2025-06-01T12:00:00.000Z');
    const list = [
      { id: 'a', expiresAt: '2025-06-01T12:00:00.000Z' },
      { id: 'b', expiresAt: '2025-06-01T12:00:00.001Z' },
      { id: 'c' },
      { id: 'd', expiresAt: 'garbage' },
    ];
    expect(activeAssignments(list, now).map((a) => a.id)).toEqual(['b', 'c']);
  });
});
