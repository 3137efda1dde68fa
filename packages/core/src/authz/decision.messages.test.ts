import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRnPattern } from '../rn/rn.matcher';
import { rn } from '../rn/rn.resource';
import type { ResourceName } from '../rn/rn.types';
import { ACTION_NAMES } from './action.catalog';
import {
  allowByPolicyMessage,
  allowByRoleMessage,
  explicitDenyMessage,
  implicitDenyMessage,
  missingAccessMessage,
  protectedMessage,
} from './decision.messages';
import { indexEntry } from './grant.compiler';
import { defaultProductionProtection, describeProtectionAllowed } from './protection.guard';

// The messages as they were written out before they were built from pieces.
const via = (group: string | undefined) => (group === undefined ? '' : ` (assigned to group "${group}")`);
const whom = (r: ResourceName) =>
  r.project === undefined ? 'an organization admin' : 'a project admin or an organization admin';

const resourceArb = fc
  .tuple(fc.constantFrom('org', 'project', 'env', 'flag'), fc.constantFrom('shop', 'web-1'))
  .map(([type, p]) => {
    const env = { key: 'production', production: true };
    if (type === 'org') return rn.org();
    if (type === 'project') return rn.project(p);
    return type === 'env' ? rn.env(p, env) : rn.flag(p, env, 'checkout');
  });

describe('decision messages', () => {
  it('say exactly what the written-out templates say', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ACTION_NAMES),
        fc.constantFrom(...ACTION_NAMES),
        resourceArb,
        fc.constantFrom('ops', 'production-access'),
        fc.nat({ max: 12 }),
        fc.option(fc.constantFrom('devs', 'team-7'), { nil: undefined }),
        (action, missing, resource, policy, statement, group) => {
          const allow = indexEntry(policy, statement, 'allow', compileRnPattern('org'), group);
          const deny = indexEntry(policy, statement, 'deny', compileRnPattern('org'), group);
          const head = `statement ${statement} of policy "${policy}"${via(group)}`;
          for (const e of [allow, deny]) {
            expect(allowByPolicyMessage(e, action, resource)).toBe(
              `Allowed: ${head} allows ${action} on ${resource.text}.`,
            );
            expect(explicitDenyMessage(e, action, resource)).toBe(
              `Denied: ${head} explicitly denies ${action} on ${resource.text}; ask an organization admin to change that policy or its assignment.`,
            );
          }
          expect(allowByRoleMessage('owner', action, resource)).toBe(
            `Allowed: the organization owner may perform ${action} on ${resource.text}.`,
          );
          expect(allowByRoleMessage('admin', action, resource)).toBe(
            `Allowed: organization admins may perform ${action} on ${resource.text}.`,
          );
          expect(implicitDenyMessage(action, resource)).toBe(
            `Denied: none of your policies allows ${action} on ${resource.text}; ask ${whom(resource)} for a role that grants it.`,
          );
          for (const ancestor of [resource.projectRn, resource.envRn, rn.org()]) {
            if (ancestor === undefined) continue;
            const what = ancestor.type === 'project' ? 'project' : 'environment';
            expect(missingAccessMessage(action, resource, missing, ancestor)).toBe(
              `Denied: ${action} on ${resource.text} also needs ${missing} on ${ancestor.text}, which you do not have; ask ${whom(ancestor)} for access to that ${what}.`,
            );
          }
          const protection = defaultProductionProtection();
          expect(protectedMessage(action, 'shop', 'production', protection)).toBe(
            `Denied: ${action} is a protected operation in environment "production" of project "shop"; only ${describeProtectionAllowed(protection)} may perform it. Ask one of them, or an organization admin to change the protection.`,
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
