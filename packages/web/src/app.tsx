import { useCallback, useEffect, useState } from 'react';
import { api, describeError, setCsrfToken } from './api.client';
import { MembersPage } from './members.page';
import { ProjectsPage } from './projects.page';
import { SetupPage, SignInPage } from './session.pages';

export interface Me {
  member: { id: string; email: string; name: string };
  organization: { key: string; name: string };
  orgRole: 'owner' | 'admin' | 'member';
}

type Page = 'projects' | 'members';

/** The console shell: first-run setup, sign-in, then the organization's pages. */
export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [setupRequired, setSetupRequired] = useState<boolean | null>(null);
  const [page, setPage] = useState<Page>('projects');
  const [error, setError] = useState('');

  const refresh = useCallback(async () => {
    try {
      setMe(await api<Me>('GET', '/api/v1/me'));
    } catch {
      setMe(null);
      const status = await api<{ required: boolean }>('GET', '/api/v1/setup');
      setSetupRequired(status.required);
    }
  }, []);

  useEffect(() => {
    refresh().catch((e: unknown) => setError(describeError(e)));
  }, [refresh]);

  const signedIn = (csrfToken: string) => {
    setCsrfToken(csrfToken);
    refresh().catch((e: unknown) => setError(describeError(e)));
  };

  if (error) return <p className="error">{error}</p>;
  if (!me) {
    if (setupRequired === null) return <p>Loading…</p>;
    return setupRequired ? <SetupPage onDone={signedIn} /> : <SignInPage onDone={signedIn} />;
  }
  return (
    <>
      <header>
        <h1>Flagward · {me.organization.name}</h1>
        <nav>
          <button
            type="button"
            aria-current={page === 'projects' ? 'page' : undefined}
            onClick={() => setPage('projects')}
          >
            Projects
          </button>
          <button
            type="button"
            aria-current={page === 'members' ? 'page' : undefined}
            onClick={() => setPage('members')}
          >
            Members &amp; groups
          </button>
        </nav>
        <span>
          {me.member.email} ({me.orgRole})
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
      <main>{page === 'projects' ? <ProjectsPage me={me} /> : <MembersPage me={me} />}</main>
    </>
  );
}
