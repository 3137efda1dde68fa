import { useCallback, useState } from 'react';
import { ApiError, api, seg } from './api.client';
import { describeAllowed, problemLines } from './problem';
import type { Policy, Protection } from './types';

/** A failed call as the console shows it: plain-words lines and the server's detail. */
export interface Failure {
  lines: string[];
  detail: string;
}

/** The failure of any thrown value; protections are named from the server's own reason. */
export function failureOf(error: unknown, askFor?: (environment: string) => string | undefined): Failure {
  if (error instanceof ApiError) {
    return { lines: problemLines(error.problem, askFor), detail: error.problem.detail };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { lines: [message], detail: message };
}

let policyNames: Promise<Record<string, string>> | undefined;

function loadPolicyNames(): Promise<Record<string, string>> {
  policyNames ??= api<{ items: Policy[] }>('GET', '/api/v1/policies')
    .then((r) => Object.fromEntries(r.items.map((p) => [p.key, p.name])))
    .catch(() => {
      policyNames = undefined;
      return {};
    });
  return policyNames;
}

/**
 * Like failureOf, but a refusal by a protected operation is explained from the environment's
 * protection: whom to ask, with the roles' names (`ask an owner, an admin or someone with Production
 * Access`). Falls back to the server's words when the protection cannot be read.
 */
export async function explainFailure(error: unknown, project?: string): Promise<Failure> {
  const envs = new Set<string>();
  if (error instanceof ApiError) {
    for (const m of error.problem.missing ?? []) if (m.protection) envs.add(m.protection.environment);
  }
  if (envs.size === 0) return failureOf(error);
  const names = await loadPolicyNames();
  const who = new Map<string, string>();
  for (const env of envs) {
    const projectKey =
      (error as ApiError).problem.missing?.find((m) => m.protection?.environment === env)?.protection
        ?.project ?? project;
    if (!projectKey) continue;
    try {
      const protection = await api<Protection>(
        'GET',
        `/api/v1/projects/${seg(projectKey)}/environments/${seg(env)}/protection`,
      );
      who.set(env, describeAllowed(protection.allowed, names));
    } catch {
      // the server's own words are used
    }
  }
  return failureOf(error, (env) => who.get(env));
}

/** Failure state for a page or a form: `report(error)` shows it, `clear()` hides it, `attempt` does both. */
export function useFailure(project?: string) {
  const [failure, setFailure] = useState<Failure | null>(null);
  const report = useCallback(
    (error: unknown) => {
      explainFailure(error, project).then(setFailure, () => setFailure(failureOf(error)));
    },
    [project],
  );
  const clear = useCallback(() => setFailure(null), []);
  /** Runs `action`: on success hides the failure, then runs `after` (a reload); on error shows it. */
  const attempt = useCallback(
    async (action: () => Promise<unknown>, after?: () => Promise<unknown>) => {
      try {
        await action();
        setFailure(null);
        await after?.();
      } catch (error) {
        report(error);
      }
    },
    [report],
  );
  return { failure, report, clear, attempt };
}
