// biome-ignore-all lint/suspicious/noTemplateCurlyInString: RN placeholders such as ${project} are literal text here
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatRnPattern,
  parseRnPattern,
  parseRnPatternOrThrow,
  patternPlaceholders,
  rnProblemToFieldError,
} from './rn.parser';
import type { RnProblemCode } from './rn.types';

function problemOf(text: string) {
  const r = parseRnPattern(text);
  if (r.ok) throw new Error(`expected "${text}" to be rejected`);
  return r.problem;
}

describe('parseRnPattern: accepted patterns', () => {
  it.each([
    'org',
    'project/*',
    'project/shop',
    'project/shop:env/dev*',
    'project/shop:env/*;production',
    'project/shop:env/*;production,eu:flag/*;beta',
    'project/*:env/*:flag/*',
    'project/shop:env/dev:var/API_URL',
    'project/shop:env/dev:segment/*-users',
    'project/${project}:env/${env}:flag/${flag}',
    'project/team-${project}*:env/*',
    'member/*@acme.io',
    "member/o'brien+ops@acme.io",
    'group/dev*',
    'policy/*',
    'token/*',
    'project/a*b*c',
  ])('%s', (text) => {
    const r = parseRnPattern(text);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) expect(formatRnPattern(r.value)).toBe(text);
  });

  it('parses segments, tags, wildcards and placeholders into parts', () => {
    const p = parseRnPatternOrThrow('project/${project}:env/dev*;production,eu:flag/*');
    expect(p.segments.map((s) => s.type)).toEqual(['project', 'env', 'flag']);
    expect(p.segments[0]?.parts).toEqual([{ kind: 'placeholder', name: 'project' }]);
    expect(p.segments[1]?.parts).toEqual([{ kind: 'text', text: 'dev' }, { kind: 'wildcard' }]);
    expect(p.segments[1]?.tags).toEqual(['production', 'eu']);
    expect(p.segments[1]?.position).toBe(19);
    expect(p.segments[2]?.tags).toBeUndefined();
    expect(patternPlaceholders(p)).toEqual(['project']);
  });

  it('collapses repeated wildcards and duplicate tags when formatting', () => {
    expect(formatRnPattern(parseRnPatternOrThrow('project/a**:env/*;x,x'))).toBe('project/a*:env/*;x');
  });
});

describe('parseRnPattern: rejected patterns give position and reason', () => {
  const cases: [string, number, RnProblemCode, RegExp][] = [
    ['', 0, 'empty', /empty/],
    ['projects/x', 0, 'unknown-type', /unknown resource type "projects"/],
    ['Project/x', 0, 'unknown-type', /lower-case/],
    ['project/x:flg/y', 10, 'unknown-type', /"flg"/],
    ['env/dev', 0, 'type-order', /"env" cannot start a pattern; it must follow a "project" segment/],
    ['project/x:flag/y', 10, 'type-order', /"flag" cannot follow "project"; expected "env"/],
    ['project/x:env/y:flag/z:var/w', 23, 'type-order', /cannot be followed/],
    ['org:project/x', 4, 'type-order', /"project" cannot follow "org"|cannot be followed/],
    ['project', 7, 'missing-name', /expected "\/" and a name/],
    ['project/', 8, 'empty-name', /name is empty/],
    ['project/x:env/', 14, 'empty-name', /env name is empty/],
    ['org/x', 3, 'unexpected-name', /has no name/],
    ['org;x', 3, 'bad-tag', /carries no tags/],
    ['project/x;a', 9, 'bad-tag', /project resources carry no tags/],
    ['project/x:env/a;', 16, 'bad-tag', /empty tag list/],
    ['project/x:env/a;b,', 18, 'bad-tag', /empty tag after ","/],
    ['project/x:env/a;b*', 17, 'bad-tag', /wildcards/],
    ['project/x:env/a;-b', 16, 'bad-tag', /tag "-b"/],
    ['project/a b', 9, 'bad-name-char', /character " " is not allowed in a project name/],
    ['project/a@b', 9, 'bad-name-char', /keys use letters/],
    ['member/a b@c', 8, 'bad-name-char', /member name/],
    ['member/a$@c', 8, 'bad-name-char', /member name/],
    ['project/-x', 8, 'invalid-name', /must start with a letter or digit/],
    ['project/-x*', 8, 'invalid-name', /can never match/],
    [`project/${'x'.repeat(65)}`, 8, 'invalid-name', /at most 64/],
    [`project/${'x'.repeat(65)}*`, 8, 'invalid-name', /can never match/],
    ['member/alice', 7, 'invalid-name', /must contain "@"/],
    ['project/${proj}', 8, 'unknown-placeholder', /unknown placeholder "\$\{proj\}"/],
    [
      'project/x:env/${flag}',
      14,
      'misplaced-placeholder',
      /\$\{flag\} can only be used in a flag segment; use \$\{env\} here/,
    ],
    ['group/${project}', 6, 'misplaced-placeholder', /a group name takes no placeholder/],
    ['project/${project', 8, 'unclosed-placeholder', /not closed/],
    ['project/${project:env/x}', 8, 'unclosed-placeholder', /not closed/],
    ['project/$x', 8, 'bad-name-char', /placeholder/],
    [':project/x', 0, 'stray-delimiter', /unexpected ":"/],
    ['project/x:', 9, 'stray-delimiter', /ends with ":"/],
    ['project/x::env/y', 10, 'stray-delimiter', /unexpected ":"/],
    ['project/x/y', 9, 'stray-delimiter', /"\/" cannot appear/],
    ['project/x,y', 9, 'stray-delimiter', /"," cannot appear/],
    ['project:x', 7, 'missing-name', /expected "\/"/],
    ['project-x', 7, 'stray-delimiter', /expected "\/" after "project", found "-"/],
    ['/x', 0, 'unknown-type', /expected a resource type/],
    [`project/${'a'.repeat(2000)}`, 1024, 'too-long', /at most 1024/],
  ];
  const labelled = cases.map(
    ([text, ...rest]) => [text.length > 40 ? `${text.slice(0, 37)}...` : text, text, ...rest] as const,
  );
  it.each(labelled)('%s → %i %s', (_label, text, position, code, reason) => {
    const p = problemOf(text);
    expect(p.code).toBe(code);
    expect(p.position).toBe(position);
    expect(p.reason).toMatch(reason);
  });

  it('turns a problem into a FieldError and a validation error', () => {
    expect(rnProblemToFieldError(problemOf('project/x:flg/y'), 'statements[0].resources[1]')).toEqual({
      path: 'statements[0].resources[1]',
      message: expect.stringMatching(/^at position 10: unknown resource type "flg"/),
    });
    expect(() => parseRnPatternOrThrow('env/x', 'resources[3]')).toThrowError(
      /resources\[3\]: at position 0/,
    );
  });

  it('never throws on arbitrary input and reports a position inside it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const r = parseRnPattern(text);
        if (!r.ok) {
          expect(r.problem.position).toBeGreaterThanOrEqual(0);
          expect(r.problem.position).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips whatever it accepts', () => {
    const alphabet = fc.constantFrom(
      'project/',
      'env/',
      'flag/',
      ':',
      ';',
      ',',
      '*',
      'a',
      'b',
      '-',
      'prod',
      '${env}',
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 12 }), (pieces) => {
        const r = parseRnPattern(pieces.join(''));
        if (!r.ok) return;
        const again = parseRnPattern(formatRnPattern(r.value));
        expect(again.ok).toBe(true);
        if (again.ok) expect(formatRnPattern(again.value)).toBe(formatRnPattern(r.value));
      }),
      { numRuns: 3000 },
    );
  });
});
