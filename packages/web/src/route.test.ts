import { describe, expect, it } from 'vitest';
import { formatHash, href, parseHash, withQuery } from './route';

describe('hash routes', () => {
  it('parses and formats a hash', () => {
    expect(parseHash('#/iam/policies?policy=ops&x=a%20b')).toEqual({
      path: ['iam', 'policies'],
      query: { policy: 'ops', x: 'a b' },
    });
    expect(parseHash('')).toEqual({ path: [], query: {} });
    const route = { path: ['flags'], query: { project: 'shop', env: 'production', flag: 'a.b' } };
    expect(parseHash(formatHash(route))).toEqual(route);
  });

  it('leaves empty values out and patches the query', () => {
    expect(href(['audit'], { project: 'shop', q: undefined })).toBe('#/audit?project=shop');
    const route = { path: ['flags'], query: { project: 'shop', flag: 'x' } };
    expect(withQuery(route, { flag: '', env: 'dev' })).toEqual({
      path: ['flags'],
      query: { project: 'shop', env: 'dev' },
    });
    expect(formatHash({ path: ['iam', 'access'], query: { member: 'a+b@acme.com' } })).toBe(
      '#/iam/access?member=a%2Bb%40acme.com',
    );
  });
});
