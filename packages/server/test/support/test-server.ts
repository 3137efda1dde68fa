import { Writable } from 'node:stream';
import type { AppOptions } from '../../src/app/build-app';
import { createServer, type FlagwardServer } from '../../src/app/server';
import type { ServiceOverrides } from '../../src/app/services';
import { createTestDatabase, type TestDatabase } from './databases';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
}

/** How a request authenticates: a bearer token, or a cookie session with its CSRF token. */
export type Credentials = { token: string } | { cookie: string; csrf?: string | undefined } | undefined;

export interface RequestOptions {
  body?: unknown;
  /** Sent as-is (for malformed-JSON tests). */
  rawBody?: string;
  contentType?: string;
  as?: Credentials;
  headers?: Record<string, string>;
}

export interface TestServer {
  server: FlagwardServer;
  database: TestDatabase;
  logs: string[];
  request<T = any>(method: string, url: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

/** Starts a server on a fresh database, capturing its JSON logs. */
export async function startTestServer(
  name: 'sqlite' | 'postgres',
  options: AppOptions & ServiceOverrides = {},
): Promise<TestServer> {
  const database = await createTestDatabase(name);
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const server = await createServer(
    { dataDir: database.dataDir, databaseUrl: database.databaseUrl },
    { logStream, logLevel: 'debug', webDist: null, ...options },
  );
  return {
    server,
    database,
    logs,
    async request(method, url, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.as && 'token' in opts.as) headers.authorization = `Bearer ${opts.as.token}`;
      if (opts.as && 'cookie' in opts.as) {
        headers.cookie = opts.as.cookie;
        if (opts.as.csrf) headers['x-csrf-token'] = opts.as.csrf;
      }
      let payload: string | undefined;
      if (opts.rawBody !== undefined) payload = opts.rawBody;
      else if (opts.body !== undefined) payload = JSON.stringify(opts.body);
      if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
      const response = await server.app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(payload === undefined ? {} : { payload }),
      });
      let body: unknown;
      try {
        body = response.body === '' ? undefined : JSON.parse(response.body);
      } catch {
        body = response.body;
      }
      return {
        status: response.statusCode,
        body: body as any,
        headers: response.headers,
        text: response.body,
      };
    },
    async close() {
      await server.close();
      await database.drop();
    },
  };
}

export const OWNER = {
  email: 'owner@acme.test',
  name: 'Olive Owner',
  password: 'correct horse battery staple',
};

/** Runs first-run setup and returns the owner's API token. */
export async function setupOrganization(t: TestServer): Promise<{ token: string; body: any }> {
  const response = await t.request('POST', '/api/v1/setup', {
    body: { organization: { key: 'acme', name: 'Acme' }, owner: OWNER },
  });
  if (response.status !== 201) throw new Error(`setup failed: ${response.status} ${response.text}`);
  return { token: response.body.token.secret, body: response.body };
}

/** Invites a member, accepts the invitation and returns a token of theirs. */
export async function addMember(
  t: TestServer,
  ownerToken: string,
  member: { email: string; name?: string; orgRole?: 'admin' | 'member' },
): Promise<{ token: string; cookie: string; csrf: string }> {
  const invited = await t.request('POST', '/api/v1/members', {
    as: { token: ownerToken },
    body: {
      email: member.email,
      name: member.name ?? member.email.split('@')[0],
      ...(member.orgRole ? { orgRole: member.orgRole } : {}),
    },
  });
  if (invited.status !== 201) throw new Error(`invite failed: ${invited.status} ${invited.text}`);
  const accepted = await t.request('POST', '/api/v1/auth/accept-invitation', {
    body: { token: invited.body.invitation.token, password: 'a long enough password' },
  });
  if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status} ${accepted.text}`);
  const cookie = sessionCookieOf(accepted);
  const created = await t.request('POST', '/api/v1/tokens', {
    as: { cookie, csrf: accepted.body.csrfToken },
    body: { name: 'test' },
  });
  if (created.status !== 201) throw new Error(`token failed: ${created.status} ${created.text}`);
  return { token: created.body.secret, cookie, csrf: accepted.body.csrfToken };
}

/** The `name=value` pair of the session cookie set by a response. */
export function sessionCookieOf(response: ApiResponse): string {
  const setCookie = response.headers['set-cookie'];
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  if (typeof first !== 'string') throw new Error('no session cookie was set');
  return first.split(';')[0]!;
}

/** Every audit entry of the server's (only) organization, oldest first. */
export async function auditEntries(t: TestServer) {
  const org = await t.server.store.db.selectFrom('organizations').select('id').executeTakeFirstOrThrow();
  return t.server.services.auditRepository.listAll(t.server.store.db, org.id);
}
