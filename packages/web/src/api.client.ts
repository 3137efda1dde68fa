/** A problem document as the server sends it (RFC 9457). */
export interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

let csrfToken = sessionStorage.getItem('flagward.csrf') ?? '';

/** Remembers the CSRF token returned at sign-in; cookie-authenticated writes must send it. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
  sessionStorage.setItem('flagward.csrf', token);
}

/** Calls the Flagward API with the session cookie; throws ApiError with the problem on failure. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) throw new ApiError(parsed as Problem);
  return parsed as T;
}

/** A message a person can act on, naming the offending fields. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.problem.errors?.map((e) => `${e.path || 'request'}: ${e.message}`).join('; ');
    return fields ? `${error.problem.detail} (${fields})` : error.problem.detail;
  }
  return error instanceof Error ? error.message : String(error);
}
