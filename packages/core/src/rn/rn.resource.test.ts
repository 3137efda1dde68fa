// biome-ignore-all lint/suspicious/noTemplateCurlyInString: RN placeholders such as ${project} are literal text here
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlagwardError } from '../errors/flagward-error';
import { isValidKey } from '../keys/key';
import { formatRn, parseRn, parseRnOrThrow, refKeyOf, resourceFromSegments, rn } from './rn.resource';
import { envTags } from './rn.types';

const prod = { key: 'production', production: true };

describe('resource constructors', () => {
  it('formats every resource type', () => {
    expect(rn.org().text).toBe('org');
    expect(rn.project('shop').text).toBe('project/shop');
    expect(rn.env('shop', 'dev').text).toBe('project/shop:env/dev');
    expect(rn.flag('shop', 'dev', 'checkout').text).toBe('project/shop:env/dev:flag/checkout');
    expect(rn.variable('shop', 'dev', 'API_URL').text).toBe('project/shop:env/dev:var/API_URL');
    expect(rn.segment('shop', 'dev', 'beta-users').text).toBe('project/shop:env/dev:segment/beta-users');
    expect(rn.member('ann+ops@acme.io').text).toBe('member/ann+ops@acme.io');
    expect(rn.group('devs').text).toBe('group/devs');
    expect(rn.policy('project-admin').text).toBe('policy/project-admin');
    expect(rn.token('01HZX3N1').text).toBe('token/01HZX3N1');
  });

  it('gives a production environment the built-in production tag and others non-production', () => {
    expect(rn.env('shop', prod).segments[1]?.tags).toEqual(['production']);
    expect(rn.env('shop', { key: 'dev', production: false, tags: ['eu'] }).segments[1]?.tags).toEqual([
      'eu',
      'non-production',
    ]);
    // unknown production-ness carries neither built-in tag, so built-in roles fail closed
    expect(rn.env('shop', 'dev').segments[1]?.tags).toEqual([]);
  });

  it('never lets a free tag contradict the production flag', () => {
    expect(envTags(false, ['production', 'eu'])).toEqual(['eu', 'non-production']);
    expect(envTags(true, ['non-production'])).toEqual(['production']);
  });

  it('carries flag tags and links ancestors', () => {
    const r = rn.flag('shop', prod, { key: 'checkout', tags: ['beta', 'beta', 'web'] });
    expect(r.type).toBe('flag');
    expect(r.segments[2]?.tags).toEqual(['beta', 'web']);
    expect(r.project).toBe('shop');
    expect(r.env).toBe('production');
    expect(r.projectRn?.text).toBe('project/shop');
    expect(r.envRn?.text).toBe('project/shop:env/production');
    expect(r.envRn?.segments[1]?.tags).toEqual(['production']);
    const p = rn.project('shop');
    expect(p.projectRn).toBe(p);
    expect(p.envRn).toBeUndefined();
    const e = rn.env('shop', 'dev');
    expect(e.envRn).toBe(e);
    expect(rn.org().project).toBeUndefined();
    expect(rn.member('a@b.c').projectRn).toBeUndefined();
  });

  it('rejects bad keys, tags and emails with a validation error naming the argument', () => {
    const cases: [() => unknown, string][] = [
      [() => rn.project('a:b'), 'project'],
      [() => rn.env('shop', { key: '', production: true }), 'env.key'],
      [() => rn.flag('shop', 'dev', { key: 'x', tags: ['ok', 'bad tag'] }), 'flag.tags[1]'],
      [() => rn.variable('shop', 'dev', '*'), 'var'],
      [() => rn.member('not-an-email'), 'member'],
      [() => rn.member('a:b@c.d'), 'member'],
      [() => rn.group('-x'), 'group'],
    ];
    for (const [make, path] of cases) {
      try {
        make();
        expect.fail(`expected ${path} to be rejected`);
      } catch (err) {
        expect(err).toBeInstanceOf(FlagwardError);
        expect((err as FlagwardError).code).toBe('validation-failed');
        expect((err as FlagwardError).errors?.[0]?.path).toBe(path);
      }
    }
  });

  it('formats with tags on request', () => {
    const r = rn.flag('shop', { key: 'prod', production: true, tags: ['eu'] }, { key: 'x', tags: ['beta'] });
    expect(formatRn(r)).toBe('project/shop:env/prod:flag/x');
    expect(formatRn(r, { tags: true })).toBe('project/shop:env/prod;eu,production:flag/x;beta');
    expect(refKeyOf({ key: 'dev', production: false })).toBe('dev');
    expect(refKeyOf('dev')).toBe('dev');
  });
});

describe('parseRn', () => {
  it('parses concrete names back into the same resource', () => {
    for (const r of [
      rn.org(),
      rn.project('shop'),
      rn.flag('shop', 'dev', 'checkout'),
      rn.variable('shop', 'dev', 'X'),
      rn.member('ann.o+x@acme.co.uk'),
      rn.token('tok_1'),
    ]) {
      const parsed = parseRnOrThrow(r.text);
      expect(parsed.text).toBe(r.text);
      expect(parsed.segments).toEqual(r.segments);
      expect(parsed.project).toBe(r.project);
    }
  });

  it('keeps the tags written in the name', () => {
    const r = parseRnOrThrow('project/shop:env/prod;production:flag/x;beta,web');
    expect(r.segments[1]?.tags).toEqual(['production']);
    expect(r.segments[2]?.tags).toEqual(['beta', 'web']);
    expect(r.text).toBe('project/shop:env/prod:flag/x');
  });

  it('rejects wildcards and placeholders with their position', () => {
    expect(parseRn('project/shop:env/dev*')).toEqual({
      ok: false,
      problem: {
        position: 20,
        code: 'not-concrete',
        reason: 'a concrete resource name cannot contain wildcards',
      },
    });
    const r = parseRn('project/${project}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatchObject({ position: 8, code: 'not-concrete' });
  });

  it('passes pattern syntax errors through', () => {
    const r = parseRn('project/shop:flag/x');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatchObject({ position: 13, code: 'type-order' });
    expect(() => parseRnOrThrow('projct/x', 'body.resource')).toThrowError(
      /at position 0: unknown resource type/,
    );
  });
});

describe('shared ancestors', () => {
  it('gives resources of one environment the same project and environment objects, with their segments', () => {
    const prod = { key: 'production', production: true, tags: ['eu'] };
    const a = rn.flag('shop', prod, 'checkout');
    const b = rn.variable('shop', prod, 'API_URL');
    expect(b.envRn).toBe(a.envRn);
    expect(b.projectRn).toBe(a.projectRn);
    expect(a.envRn?.segments).toEqual(a.segments.slice(0, 2));
    expect(a.envRn?.text).toBe('project/shop:env/production');
    // other tags, another environment object
    const c = rn.flag('shop', { ...prod, tags: ['us'] }, 'checkout');
    expect(c.envRn).not.toBe(a.envRn);
    expect(c.envRn?.segments[1]?.tags).toEqual(['us', 'production']);
    expect(c.projectRn).toBe(a.projectRn);
    // names that would spell the same key are told apart by their segments
    const odd = resourceFromSegments([
      { type: 'project', name: 'x\u0001y', tags: [] },
      { type: 'env', name: 'e', tags: [] },
      { type: 'flag', name: 'f', tags: [] },
    ]);
    const other = resourceFromSegments([
      { type: 'project', name: 'x', tags: ['y'] },
      { type: 'env', name: 'e', tags: [] },
      { type: 'flag', name: 'f', tags: [] },
    ]);
    expect(odd.projectRn?.segments[0]?.name).toBe('x\u0001y');
    expect(other.projectRn?.segments[0]?.tags).toEqual(['y']);
  });
});

describe('key checks of the constructors', () => {
  it('accept and refuse exactly what the key grammar does', () => {
    const chars = fc.constantFrom('a', 'Z', '0', '9', '.', '_', '-', ':', ' ', 'é', '*', '/');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 66 }), (cs) => {
        const key = cs.join('');
        let accepted = true;
        try {
          rn.flag('shop', { key: 'dev', tags: [key] }, key);
        } catch {
          accepted = false;
        }
        expect(accepted).toBe(isValidKey(key));
      }),
      { numRuns: 3_000 },
    );
  });
});
