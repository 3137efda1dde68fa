// biome-ignore-all lint/suspicious/noTemplateCurlyInString: RN placeholders such as ${project} are literal text here
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlagwardError } from '../errors/flagward-error';
import { compileNameParts, compileRnPattern } from './rn.matcher';
import { parseRnPatternOrThrow } from './rn.parser';
import { resourceFromSegments, rn } from './rn.resource';
import type { ResourceName, ResourceType, RnSegment } from './rn.types';

const prod = { key: 'production', production: true };
const dev = { key: 'dev', production: false };

describe('compileRnPattern', () => {
  it('requires the same number of segments', () => {
    const m = compileRnPattern('project/*');
    expect(m.matches(rn.project('a'))).toBe(true);
    expect(m.matches(rn.env('a', 'dev'))).toBe(false);
    expect(compileRnPattern('project/*:env/*').matches(rn.flag('a', 'dev', 'f'))).toBe(false);
    expect(compileRnPattern('project/*:env/*:flag/*').matches(rn.env('a', 'dev'))).toBe(false);
  });

  it('matches types exactly', () => {
    expect(compileRnPattern('project/a:env/d:var/*').matches(rn.flag('a', 'd', 'x'))).toBe(false);
    expect(compileRnPattern('project/a:env/d:var/*').matches(rn.variable('a', 'd', 'x'))).toBe(true);
    expect(compileRnPattern('group/*').matches(rn.policy('x'))).toBe(false);
    expect(compileRnPattern('org').matches(rn.org())).toBe(true);
    expect(compileRnPattern('org').matches(rn.project('org'))).toBe(false);
  });

  it('lets * match any run within one segment only, case-sensitively', () => {
    const m = compileRnPattern('project/shop:env/dev*');
    expect(m.matches(rn.env('shop', 'dev'))).toBe(true);
    expect(m.matches(rn.env('shop', 'dev-eu'))).toBe(true);
    expect(m.matches(rn.env('shop', 'Dev'))).toBe(false);
    expect(m.matches(rn.env('shop', 'staging'))).toBe(false);
    expect(m.matches(rn.env('Shop', 'dev'))).toBe(false);
    expect(compileRnPattern('project/*-eu:env/*').matches(rn.env('shop-eu', 'x'))).toBe(true);
    expect(compileRnPattern('project/a*b*c').matches(rn.project('abc'))).toBe(true);
    expect(compileRnPattern('project/a*b*c').matches(rn.project('a-b-b-c'))).toBe(true);
    expect(compileRnPattern('project/a*b*c').matches(rn.project('acb'))).toBe(false);
    expect(compileRnPattern('project/ab*ba').matches(rn.project('aba'))).toBe(false);
    expect(compileRnPattern('project/*a*').matches(rn.project('xay'))).toBe(true);
    expect(compileRnPattern('member/*@acme.io').matches(rn.member('ann+x@acme.io'))).toBe(true);
    expect(compileRnPattern('member/*@acme.io').matches(rn.member('ann@acme.io.evil'))).toBe(false);
  });

  it('matches a tag list when the resource carries any listed tag', () => {
    const m = compileRnPattern('project/shop:env/*;production,eu:flag/*');
    expect(m.matches(rn.flag('shop', prod, 'f'))).toBe(true);
    expect(m.matches(rn.flag('shop', { key: 'x', production: false, tags: ['eu'] }, 'f'))).toBe(true);
    expect(m.matches(rn.flag('shop', dev, 'f'))).toBe(false);
    const flags = compileRnPattern('project/*:env/*:flag/*;beta');
    expect(flags.matches(rn.flag('shop', dev, { key: 'f', tags: ['web', 'beta'] }))).toBe(true);
    expect(flags.matches(rn.flag('shop', dev, { key: 'f', tags: ['Beta'] }))).toBe(false);
    expect(compileRnPattern('project/*:env/*;non-production').matches(rn.env('a', dev))).toBe(true);
  });

  it('exposes the literal project for indexing', () => {
    expect(compileRnPattern('project/shop:env/*').projectLiteral).toBe('shop');
    expect(compileRnPattern('project/shop*').projectLiteral).toBeUndefined();
    expect(compileRnPattern('org').projectLiteral).toBeUndefined();
    expect(compileRnPattern('project/a:env/*:flag/*').type).toBe('flag');
  });

  it('refuses unbound placeholders and malformed patterns', () => {
    expect(() => compileRnPattern('project/${project}')).toThrowError(/must be bound/);
    expect(() => compileRnPattern('env/x')).toThrowError(FlagwardError);
  });

  it('compiles name parts directly', () => {
    const m = compileNameParts(parseRnPatternOrThrow('project/x*y').segments[0]!.parts);
    expect(m('xy')).toBe(true);
    expect(m('x-y')).toBe(true);
    expect(m('y')).toBe(false);
  });
});

// --- property test against an independent, regex-based reference matcher ---

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

function referenceMatches(pattern: string, resource: ResourceName): boolean {
  const segs = pattern.split(':');
  if (segs.length !== resource.segments.length) return false;
  return segs.every((seg, i) => {
    const r = resource.segments[i]!;
    const [head, tagText] = seg.split(';') as [string, string | undefined];
    const slash = head.indexOf('/');
    const type = slash < 0 ? head : head.slice(0, slash);
    const name = slash < 0 ? '' : head.slice(slash + 1);
    if (type !== r.type) return false;
    const re = new RegExp(`^${name.split('*').map(escapeRegex).join('.*')}$`, 's');
    if (!re.test(r.name)) return false;
    if (tagText === undefined) return true;
    return tagText.split(',').some((t) => r.tags.includes(t));
  });
}

const nameChars = fc.constantFrom('a', 'b', 'A', '1', '-', '.');
const keyArb = fc
  .tuple(fc.constantFrom('a', 'b', 'A', '1'), fc.array(nameChars, { maxLength: 4 }))
  .map(([h, t]) => h + t.join(''));
const tagArb = fc.constantFrom('production', 'non-production', 'beta', 'eu');
const tagsArb = fc.uniqueArray(tagArb, { maxLength: 2 });

const shapes: ResourceType[][] = [
  ['project'],
  ['project', 'env'],
  ['project', 'env', 'flag'],
  ['project', 'env', 'var'],
  ['group'],
];

const resourceArb = fc
  .tuple(fc.constantFrom(...shapes), fc.array(fc.tuple(keyArb, tagsArb), { minLength: 3, maxLength: 3 }))
  .map(([types, names]) =>
    resourceFromSegments(
      types.map((type, i): RnSegment => {
        const [name, tags] = names[i]!;
        return { type, name, tags: type === 'env' || type === 'flag' ? tags : [] };
      }),
    ),
  );

/** A pattern derived from a resource (so that matches are frequent), then mutated. */
function patternArb(resource: ResourceName) {
  return fc
    .tuple(
      fc.array(fc.nat({ max: 4 }), { minLength: 3, maxLength: 3 }),
      fc.array(fc.option(tagsArb.filter((t) => t.length > 0)), { minLength: 3, maxLength: 3 }),
      fc.boolean(),
      fc.constantFrom<ResourceType>('project', 'group', 'policy'),
    )
    .map(([mutations, tagLists, dropLast, otherType]) => {
      const segs = resource.segments.map((seg, i) => {
        let name = seg.name;
        const m = mutations[i]!;
        if (m === 1) name = '*';
        else if (m === 2) name = `${name.slice(0, 1)}*`;
        else if (m === 3) name = `*${name.slice(-1)}${name.length > 2 ? '' : '*'}`;
        else if (m === 4) name = `${name}x`;
        const tags = tagLists[i];
        const tagged = (seg.type === 'env' || seg.type === 'flag') && tags !== null && tags !== undefined;
        return `${seg.type}/${name}${tagged ? `;${tags.join(',')}` : ''}`;
      });
      if (dropLast && segs.length > 1) segs.pop();
      else if (dropLast && otherType !== resource.type) segs[0] = segs[0]!.replace(/^[a-z]+/, otherType);
      return segs.join(':');
    });
}

describe('compileRnPattern agrees with a regex reference', () => {
  it('on 20,000 random (pattern, resource) pairs', () => {
    let matched = 0;
    fc.assert(
      fc.property(
        resourceArb.chain((r) => fc.tuple(fc.constant(r), patternArb(r), resourceArb)),
        ([resource, pattern, other]) => {
          const parsed = parseRnPatternOrThrow(pattern);
          const compiled = compileRnPattern(parsed);
          const expected = referenceMatches(pattern, resource);
          if (expected) matched++;
          expect(compiled.matches(resource)).toBe(expected);
          expect(compiled.matches(other)).toBe(referenceMatches(pattern, other));
        },
      ),
      { numRuns: 20_000 },
    );
    // the generator must exercise both outcomes
    expect(matched).toBeGreaterThan(2_000);
  });

  it('on arbitrary globs over a tiny alphabet', () => {
    const glob = fc
      .array(fc.constantFrom('a', 'b', '*'), { minLength: 1, maxLength: 7 })
      .map((x) => x.join(''));
    const name = fc
      .array(fc.constantFrom('a', 'b'), { minLength: 1, maxLength: 8 })
      .map((x) => `a${x.join('')}`);
    fc.assert(
      fc.property(glob, name, (g, n) => {
        const pattern = `project/a${g}`;
        expect(compileRnPattern(pattern).matches(rn.project(n))).toBe(
          referenceMatches(pattern, rn.project(n)),
        );
      }),
      { numRuns: 10_000 },
    );
  });
});
