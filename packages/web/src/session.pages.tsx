import { type FormEvent, useState } from 'react';
import { api, describeError } from './api.client';

interface Props {
  onDone(csrfToken: string): void;
}

function field(form: HTMLFormElement, name: string): string {
  return (form.elements.namedItem(name) as HTMLInputElement).value;
}

/** First run: creates the organization and its owner, then signs the owner in. */
export function SetupPage({ onDone }: Props) {
  const [error, setError] = useState('');
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    try {
      const owner = {
        email: field(form, 'email'),
        name: field(form, 'name'),
        password: field(form, 'password'),
      };
      await api('POST', '/api/v1/setup', {
        organization: { key: field(form, 'orgKey'), name: field(form, 'orgName') },
        owner,
      });
      const session = await api<{ csrfToken: string }>('POST', '/api/v1/auth/login', {
        email: owner.email,
        password: owner.password,
      });
      onDone(session.csrfToken);
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <div className="card narrow">
      <h2>Welcome to Flagward</h2>
      <p>Create your organization and its owner account.</p>
      <form onSubmit={submit}>
        <label>
          Organization name
          <input name="orgName" required />
        </label>
        <label>
          Organization key
          <input name="orgKey" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" />
        </label>
        <label>
          Your name
          <input name="name" required />
        </label>
        <label>
          Email
          <input name="email" type="email" required />
        </label>
        <label>
          Password (12 characters or more)
          <input name="password" type="password" minLength={12} required />
        </label>
        {error && <p className="error">{error}</p>}
        <button className="primary" type="submit">
          Create organization
        </button>
      </form>
    </div>
  );
}

/** Sign-in with email and password; an invitation link signs in after choosing a password. */
export function SignInPage({ onDone }: Props) {
  const [error, setError] = useState('');
  const invitation = new URLSearchParams(window.location.search).get('invitation');
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    try {
      const session = invitation
        ? await api<{ csrfToken: string }>('POST', '/api/v1/auth/accept-invitation', {
            token: invitation,
            password: field(form, 'password'),
          })
        : await api<{ csrfToken: string }>('POST', '/api/v1/auth/login', {
            email: field(form, 'email'),
            password: field(form, 'password'),
          });
      if (invitation) window.history.replaceState(null, '', '/');
      onDone(session.csrfToken);
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <div className="card narrow">
      <h2>{invitation ? 'Accept your invitation' : 'Sign in to Flagward'}</h2>
      <form onSubmit={submit}>
        {!invitation && (
          <label>
            Email
            <input name="email" type="email" required autoComplete="username" />
          </label>
        )}
        <label>
          {invitation ? 'Choose a password (12 characters or more)' : 'Password'}
          <input
            name="password"
            type="password"
            required
            autoComplete={invitation ? 'new-password' : 'current-password'}
          />
        </label>
        {error && <p className="error">{error}</p>}
        <button className="primary" type="submit">
          {invitation ? 'Accept and sign in' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
