import { describe, expect, it } from 'vitest';
import { rn } from '../rn/rn.resource';
import type { Decider, Decision } from './decision.types';
import { decideScoped, type EnvInfo } from './scope.check';

const dev: EnvInfo = { key: 'dev', production: false };
const qa: EnvInfo = { key: 'qa', production: false };
const prod: EnvInfo = { key: 'production', production: true };

const yes: Decision = {
  allowed: true,
  decision: 'allow',
  reason: { kind: 'allow', message: 'Allowed: ok.' },
};
const no: Decision = {
  allowed: false,
  decision: 'implicit-deny',
  reason: { kind: 'implicit-deny', message: 'Denied: no.' },
};

/** A decider allowing exactly the listed environments, recording what it was asked. */
function only(...allowed: string[]): Decider & { calls: string[] } {
  const calls: string[] = [];
  const d = ((action: string, resource) => {
    calls.push(`${action} ${resource.text}`);
    return allowed.includes(resource.env ?? '') ? yes : no;
  }) as Decider & { calls: string[] };
  d.calls = calls;
  return d;
}

const target = { project: 'shop', flag: { key: 'checkout', tags: ['beta'] }, envs: [dev, qa, prod] };

describe('decideScoped', () => {
  it('every-env needs every environment; the first failing one explains', () => {
    expect(decideScoped(only('dev', 'qa', 'production'), 'DeleteFlag', target).allowed).toBe(true);
    const d = decideScoped(only('dev'), 'DeleteFlag', target);
    expect(d).toEqual({
      allowed: false,
      decision: 'implicit-deny',
      reason: {
        kind: 'implicit-deny',
        environment: 'qa',
        message: 'DeleteFlag reaches every environment of project "shop"; in "qa": Denied: no.',
      },
    });
  });

  it('checks the flag with its tags and each environment with its production tag', () => {
    const seen: string[][] = [];
    const spy: Decider = (_a, r) => {
      seen.push([r.text, ...r.segments.flatMap((s) => s.tags)]);
      return yes;
    };
    decideScoped(spy, 'ArchiveFlag', target);
    expect(seen).toEqual([
      ['project/shop:env/dev:flag/checkout', 'non-production', 'beta'],
      ['project/shop:env/qa:flag/checkout', 'non-production', 'beta'],
      ['project/shop:env/production:flag/checkout', 'production', 'beta'],
    ]);
  });

  it('any-env needs one environment; the first allowing one explains', () => {
    const d = decideScoped(only('qa'), 'CreateFlag', target);
    expect(d.allowed).toBe(true);
    expect(d.reason.environment).toBe('qa');
    const none = decideScoped(only(), 'CreateFlag', target);
    expect(none.allowed).toBe(false);
    expect(none.reason.environment).toBe('dev');
    expect(none.reason.message).toBe(
      'CreateFlag needs to be allowed in at least one environment of project "shop" and is allowed in none; in "dev": Denied: no.',
    );
  });

  it('grant-envs checks ManageFlagPermissions in each environment of the grant', () => {
    const d = only('dev', 'qa');
    expect(decideScoped(d, 'ManageFlagPermissions', { ...target, envs: [dev, qa] }).allowed).toBe(true);
    const refused = decideScoped(d, 'ManageFlagPermissions', target);
    expect(refused.reason.message).toMatch(
      /^ManageFlagPermissions is checked in every environment of the grant; in "production"/,
    );
  });

  it('single-scope flag actions are checked in each listed environment', () => {
    expect(decideScoped(only('production'), 'UpdateFlagOn', { ...target, envs: [prod] }).allowed).toBe(true);
    expect(decideScoped(only('dev'), 'UpdateFlagOn', { ...target, envs: [prod] }).reason.message).toBe(
      'in "production": Denied: no.',
    );
  });

  it('denies when there is no environment to check, and refuses non-flag actions', () => {
    expect(decideScoped(only('dev'), 'DeleteFlag', { ...target, envs: [] }).allowed).toBe(false);
    expect(() => decideScoped(only(), 'CanAccessEnv', target)).toThrowError(/needs a flag action/);
    expect(rn.flag('shop', dev, 'x').text).toBe('project/shop:env/dev:flag/x');
  });
});
