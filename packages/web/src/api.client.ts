/** One action a refused change needed and the caller lacks (the `missing` extension of a 403). */
export interface MissingAction {
  action: string;
  resource: string;
  decision?: string;
  reason: string;
  protection?: { project?: string; environment: string; operation: string };
}

/** A problem document as the server sends it (RFC 9457). */
export interface Problem {
  status: number;
  code: string;
  detail: string;
  title?: string;
  errors?: { path: string; message: string }[];
  missing?: MissingAction[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

/** Fired on window when a call answers 401: the session ended, the shell goes back to sign-in. */
export const SIGNED_OUT_EVENT = 'flagward:signed-out';

const storage = typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
let csrfToken = storage?.getItem('flagward.csrf') ?? '';

/** Remembers the CSRF token returned at sign-in; cookie-authenticated writes must send it. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
  storage?.setItem('flagward.csrf', token);
}

/** A query string from the defined, non-empty values (`?a=1&b=x`), or '' when there is none. */
export function queryString(values: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Encodes one path segment (keys are URL-safe, emails are not). */
export const seg = encodeURIComponent;

function problemFrom(status: number, text: string): Problem {
  try {
    const parsed = JSON.parse(text) as Partial<Problem>;
    if (parsed && typeof parsed.detail === 'string') return { ...parsed, status } as Problem;
  } catch {
    // not a problem document; described below
  }
  return { status, code: status === 404 ? 'not-found' : 'error', detail: text || `HTTP ${status}` };
}

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) {
    const problem = problemFrom(response.status, await response.text());
    if (response.status === 401 && !path.startsWith('/api/v1/auth/') && path !== '/api/v1/me') {
      window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    }
    throw new ApiError(problem);
  }
  return response;
}

/** Calls the Flagward API with the session cookie; throws ApiError with the problem on failure. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const text = await (await call(method, path, body)).text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Like api, for the endpoints that answer text/plain (checkpoints, public key). */
export async function apiText(method: string, path: string): Promise<string> {
  return (await call(method, path)).text();
}

/** Whether the server has no such route at all (an API this server version does not offer yet). */
export function isUnavailable(error: unknown): boolean {
  return (
    error instanceof ApiError && error.problem.status === 404 && error.problem.detail.startsWith('no route')
  );
}

/** A message a person can act on, naming the offending fields. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.problem.errors?.map((e) => `${e.path || 'request'}: ${e.message}`).join('; ');
    return fields ? `${error.problem.detail} (${fields})` : error.problem.detail;
  }
  return error instanceof Error ? error.message : String(error);
}
