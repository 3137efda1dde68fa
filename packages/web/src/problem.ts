import type { MissingAction, Problem } from './api.client';
import type { ProtectionAllowed } from './types';

/** The environment key of a resource name (`project/p:env/e:flag/f` → `e`); `*` means every environment. */
export function environmentOf(resource: string): string | undefined {
  const match = /(?:^|:)env\/([^:;]+)/.exec(resource);
  return match?.[1];
}

/** "a", "a or b", "a, b or c". */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

const ROLE_WORDS: Record<string, string> = { owner: 'an owner', admin: 'an admin', member: 'any member' };

/**
 * Who a protection lets through, in plain words:
 * `an owner, an admin or someone with Production Access or Project Admin`.
 * `policyNames` maps policy keys to their display names (built-in roles have readable names).
 */
export function describeAllowed(
  allowed: Partial<ProtectionAllowed>,
  policyNames: Record<string, string> = {},
): string {
  const who: string[] = [];
  for (const role of allowed.orgRoles ?? []) who.push(ROLE_WORDS[role] ?? `an ${role}`);
  const policies = (allowed.policies ?? []).map((key) => policyNames[key] ?? key);
  if (policies.length > 0) who.push(`someone with ${orList(policies)}`);
  for (const group of allowed.groups ?? []) who.push(`a member of the group ${group}`);
  who.push(...(allowed.members ?? []));
  return who.length === 0 ? 'nobody (ask an organization admin to change the protection)' : orList(who);
}

/** The "whom to ask" part of the server's protection reason (`…; only X may perform it. …`). */
function whoFromReason(reason: string): string | undefined {
  return /only (.+?) may perform it/.exec(reason)?.[1];
}

function withoutPrefix(reason: string): string {
  return reason.replace(/^(Denied|Allowed): /, '');
}

/**
 * One refused action in plain words. A protection names the operation, the environment and whom to
 * ask (`UpdateFlagOn in production is protected: ask an owner, an admin or someone with Production
 * Access`); other refusals keep the server's explanation.
 */
export function describeMissing(
  missing: MissingAction,
  askFor?: (environment: string) => string | undefined,
): string {
  if (missing.protection) {
    const { operation, environment } = missing.protection;
    const who = askFor?.(environment) ?? whoFromReason(missing.reason) ?? 'an organization admin';
    return `${operation} in ${environment} is protected: ask ${who}`;
  }
  const env = environmentOf(missing.resource);
  const where = env === undefined ? '' : env === '*' ? ' in every environment' : ` in ${env}`;
  return `You may not ${missing.action}${where}: ${withoutPrefix(missing.reason)}`;
}

/**
 * What to show for a failed call: one line per refused action of a 403, the fields of a validation
 * failure, a hint for a version conflict, otherwise the server's detail as it is.
 */
export function problemLines(
  problem: Problem,
  askFor?: (environment: string) => string | undefined,
): string[] {
  if (problem.missing && problem.missing.length > 0) {
    return [...new Set(problem.missing.map((m) => describeMissing(m, askFor)))];
  }
  if (problem.errors && problem.errors.length > 0) {
    return [problem.detail, ...problem.errors.map((e) => `${e.path || 'request'}: ${e.message}`)];
  }
  if (problem.code === 'version-conflict') {
    return [`${problem.detail} — reload to see the latest version, then apply your change again.`];
  }
  return [problem.detail];
}
