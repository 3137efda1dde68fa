import { expect } from 'vitest';
import { addMember, type TestServer } from './test-server';

/** An API caller: a member's token. */
export interface Caller {
  email: string;
  token: string;
}

/** Invites members (accepting for them) and returns their tokens by email. */
export async function addMembers(
  t: TestServer,
  ownerToken: string,
  emails: string[],
): Promise<Record<string, Caller>> {
  const result: Record<string, Caller> = {};
  for (const email of emails)
    result[email] = { email, token: (await addMember(t, ownerToken, { email })).token };
  return result;
}

export async function ok(
  promise: Promise<{ status: number; text: string; body: any }>,
  status = 200,
): Promise<any> {
  const response = await promise;
  expect(response.status, response.text).toBe(status);
  return response.body;
}

/** Asks the server whether `member` may do `action` on `resource` (owner's view). */
export async function check(
  t: TestServer,
  ownerToken: string,
  member: string,
  action: string,
  resource: string,
) {
  const response = await t.request('POST', '/api/v1/authz/check', {
    as: { token: ownerToken },
    body: { member, action, resource },
  });
  expect(response.status, response.text).toBe(200);
  return response.body as {
    allowed: boolean;
    decision: string;
    reason: { message: string; policy?: string; statement?: number; group?: string };
  };
}

export function config(t: TestServer, token: string, project: string, flag: string, env: string) {
  return t.request('GET', `/api/v1/projects/${project}/flags/${flag}/environments/${env}`, { as: { token } });
}

export function patchConfig(
  t: TestServer,
  token: string,
  project: string,
  flag: string,
  env: string,
  body: unknown,
) {
  return t.request('PATCH', `/api/v1/projects/${project}/flags/${flag}/environments/${env}`, {
    as: { token },
    body,
  });
}
