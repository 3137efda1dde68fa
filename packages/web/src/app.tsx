import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, describeError, SIGNED_OUT_EVENT, seg, setCsrfToken } from './api.client';
import { AuditPage } from './audit.page';
import { EnvironmentsPage } from './environments.page';
import { FlagsPage } from './flags.page';
import { IamPage } from './iam.page';
import { canFrom, type EffectivePermissions } from './permissions';
import { ProjectsPage } from './projects.page';
import { href, useRoute } from './route';
import type { PageProps, Session } from './session';
import { SetupPage, SignInPage } from './session.pages';
import type { Me, Project } from './types';

const PAGES = [
  ['projects', 'Projects'],
  ['flags', 'Flags'],
  ['environments', 'Environments'],
  ['iam', 'Access (IAM)'],
  ['audit', 'Audit'],
] as const;

function PageBody(props: PageProps) {
  switch (props.route.path[0] ?? 'flags') {
    case 'projects':
      return <ProjectsPage {...props} />;
    case 'environments':
      return <EnvironmentsPage {...props} />;
    case 'iam':
      return <IamPage {...props} />;
    case 'audit':
      return <AuditPage {...props} />;
    default:
      return <FlagsPage {...props} />;
  }
}

/** The console shell: first-run setup, sign-in, then the organization's pages. */
export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [permissions, setPermissions] = useState<EffectivePermissions | null>(null);
  const [projects, setProjects] = useState<Project[]>([]);
  const [setupRequired, setSetupRequired] = useState<boolean | null>(null);
  const [error, setError] = useState('');
  const [route, go] = useRoute();

  const loadOrganization = useCallback(async (who: Me) => {
    const [list, perms] = await Promise.all([
      api<{ items: Project[] }>('GET', '/api/v1/projects'),
      api<EffectivePermissions>('GET', `/api/v1/members/${seg(who.member.email)}/permissions`).catch(
        () => null,
      ),
    ]);
    setProjects(list.items);
    setPermissions(perms);
  }, []);

  const refresh = useCallback(async () => {
    let who: Me;
    try {
      who = await api<Me>('GET', '/api/v1/me');
    } catch {
      setMe(null);
      const status = await api<{ required: boolean }>('GET', '/api/v1/setup');
      setSetupRequired(status.required);
      return;
    }
    await loadOrganization(who);
    setMe(who);
  }, [loadOrganization]);

  useEffect(() => {
    refresh().catch((e: unknown) => setError(describeError(e)));
    const signedOut = () => {
      setMe(null);
      refresh().catch((e: unknown) => setError(describeError(e)));
    };
    window.addEventListener(SIGNED_OUT_EVENT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, signedOut);
  }, [refresh]);

  const session = useMemo<Session | null>(
    () =>
      me && {
        me,
        can: canFrom(permissions),
        projects,
        refresh: () => loadOrganization(me),
      },
    [me, permissions, projects, loadOrganization],
  );

  const signedIn = (csrfToken: string) => {
    setCsrfToken(csrfToken);
    refresh().catch((e: unknown) => setError(describeError(e)));
  };

  if (error) return <p className="error">{error}</p>;
  if (!session) {
    if (setupRequired === null) return <p className="muted">Loading…</p>;
    return setupRequired ? <SetupPage onDone={signedIn} /> : <SignInPage onDone={signedIn} />;
  }
  const current = route.path[0] ?? 'flags';
  return (
    <>
      <header>
        <h1>Flagward · {session.me.organization.name}</h1>
        <nav>
          {PAGES.map(([key, label]) => (
            <a key={key} href={href([key])} aria-current={current === key ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span className="who">
          {session.me.member.email} ({session.me.orgRole})
        </span>
        <button
          type="button"
          onClick={async () => {
            await api('POST', '/api/v1/auth/logout');
            setMe(null);
            await refresh();
          }}
        >
          Sign out
        </button>
      </header>
      <main>
        <PageBody session={session} route={route} go={go} />
      </main>
    </>
  );
}
