import { describe, expect, it } from 'vitest';
import { ApiError, describeError, isUnavailable, queryString } from './api.client';

describe('api client helpers', () => {
  it('builds query strings from the values that are set', () => {
    expect(queryString({ project: 'shop', env: undefined, q: '', archived: 'true', limit: 50 })).toBe(
      '?project=shop&archived=true&limit=50',
    );
    expect(queryString({ a: undefined })).toBe('');
    expect(queryString({ actor: 'a+b@acme.com' })).toBe('?actor=a%2Bb%40acme.com');
  });

  it('tells an API this server does not offer from a resource that does not exist', () => {
    const noRoute = new ApiError({ status: 404, code: 'not-found', detail: 'no route GET /api/v1/audit' });
    const noFlag = new ApiError({ status: 404, code: 'not-found', detail: 'no flag x in project shop' });
    expect(isUnavailable(noRoute)).toBe(true);
    expect(isUnavailable(noFlag)).toBe(false);
    expect(isUnavailable(new Error('offline'))).toBe(false);
  });

  it('describes errors with their fields', () => {
    expect(
      describeError(
        new ApiError({
          status: 400,
          code: 'validation-failed',
          detail: 'invalid',
          errors: [{ path: 'key', message: 'must not be empty' }],
        }),
      ),
    ).toBe('invalid (key: must not be empty)');
    expect(describeError(new Error('boom'))).toBe('boom');
  });
});
