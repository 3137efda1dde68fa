import { useCallback, useEffect, useState } from 'react';

/** Where the console is: `#/iam/policies?policy=ops` → `{ path: ['iam', 'policies'], query: { policy: 'ops' } }`. */
export interface Route {
  path: string[];
  query: Record<string, string>;
}

/** Parses a location hash (with or without the leading `#`). */
export function parseHash(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const [pathPart = '', queryPart = ''] = text.split('?', 2);
  const path = pathPart
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(queryPart)) query[key] = value;
  return { path, query };
}

/** The hash of a route; empty query values are left out so links stay short. */
export function formatHash(route: Route): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(route.query)) if (value !== '') params.set(key, value);
  const query = params.toString();
  return `#/${route.path.map(encodeURIComponent).join('/')}${query === '' ? '' : `?${query}`}`;
}

/** A link to a page: `href(['flags'], { project: 'shop' })`. */
export function href(path: string[], query: Record<string, string | undefined> = {}): string {
  const defined: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined) defined[key] = value;
  return formatHash({ path, query: defined });
}

/** Changes some query values of a route, keeping the others (an empty string removes a value). */
export function withQuery(route: Route, patch: Record<string, string | undefined>): Route {
  const query = { ...route.query };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || value === '') delete query[key];
    else query[key] = value;
  }
  return { path: route.path, query };
}

/** The current route, following the location hash. */
export function useRoute(): [Route, (next: Route) => void] {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const go = useCallback((next: Route) => {
    window.location.hash = formatHash(next);
  }, []);
  return [route, go];
}
