import { AccessPage } from './access.page';
import { AssignmentsPage } from './assignments.page';
import { GroupsPage } from './groups.page';
import { MembersPage } from './members.page';
import { PoliciesPage } from './policies.page';
import { href } from './route';
import type { PageProps } from './session';
import { TokensPage } from './tokens.page';

const TABS = [
  ['members', 'Members'],
  ['groups', 'Groups'],
  ['policies', 'Policies'],
  ['assignments', 'Assignments'],
  ['access', 'Who can · Check · Effective permissions'],
  ['tokens', 'API tokens'],
] as const;

/** Identity and access: members, groups, policies, assignments, the decision tools and API tokens. */
export function IamPage(props: PageProps) {
  const tab = props.route.path[1] ?? 'members';
  return (
    <>
      <nav className="tabs" aria-label="Access management">
        {TABS.map(([key, label]) => (
          <a key={key} href={href(['iam', key])} aria-current={tab === key ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {tab === 'groups' ? (
        <GroupsPage {...props} />
      ) : tab === 'policies' ? (
        <PoliciesPage {...props} />
      ) : tab === 'assignments' ? (
        <AssignmentsPage {...props} />
      ) : tab === 'access' ? (
        <AccessPage {...props} />
      ) : tab === 'tokens' ? (
        <TokensPage {...props} />
      ) : (
        <MembersPage {...props} />
      )}
    </>
  );
}
