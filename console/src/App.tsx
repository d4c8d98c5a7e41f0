import { useEffect, useState } from 'react';
import { href, useRoute } from './router';
import { type Session, signIn, signOut, storedKey } from './session';
import { SignIn } from './views/SignIn';
import { Overview } from './views/Overview';
import { JobsList } from './views/JobsList';
import { JobView } from './views/JobView';
import { Week } from './views/Week';
import { Calendars } from './views/Calendars';
import { AuditTrail } from './views/AuditTrail';
import { Loading } from './components/ui';

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => storedKey() !== null);
  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    signIn(key)
      .then(setSession, () => signOut())
      .finally(() => setRestoring(false));
  }, []);
  if (restoring) return <Loading what="your session" />;
  if (!session) return <SignIn onSignedIn={setSession} />;
  return (
    <Shell
      session={session}
      onSignOut={() => {
        signOut();
        setSession(null);
      }}
    />
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const { who } = session;
  const [first, account, view, ...rest] = route.path;
  const current = first === 'a' && account ? account : who.accounts[0]?.name;
  const nav = current
    ? [
        { label: 'Overview', to: href([]), active: first !== 'a' },
        { label: 'Jobs', to: href(['a', current, 'jobs']), active: view === 'jobs' },
        { label: 'Week', to: href(['a', current, 'week']), active: view === 'week' },
        { label: 'Calendars', to: href(['a', current, 'calendars']), active: view === 'calendars' },
        { label: 'Audit', to: href(['a', current, 'audit']), active: view === 'audit' },
      ]
    : [];
  useEffect(() => {
    document.getElementById('main')?.focus();
  }, [route.path.join('/')]);
  return (
    <>
      <a
        className="skip"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <header className="top">
        <span className="brand">minion</span>
        <nav aria-label="Views">
          <ul>
            {nav.map((n) => (
              <li key={n.label}>
                <a href={n.to} aria-current={n.active ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {who.accounts.length > 1 && current ? (
          <label className="account-pick">
            Account{' '}
            <select
              value={current}
              onChange={(e) => (window.location.hash = href(['a', e.target.value, view || 'jobs']))}
            >
              {who.accounts.map((a) => (
                <option key={a.name}>{a.name}</option>
              ))}
            </select>
          </label>
        ) : null}
        <span className="who" data-testid="who">
          {who.name} · {who.access}
          {who.groups ? ` · groups ${who.groups.join(', ')}` : ''}
        </span>
        <button type="button" className="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {first !== 'a' || !account ? (
          <Overview session={session} />
        ) : view === 'jobs' && rest.length === 2 ? (
          <JobView session={session} account={account} group={rest[0]} id={rest[1]} />
        ) : view === 'week' ? (
          <Week session={session} account={account} />
        ) : view === 'calendars' ? (
          <Calendars session={session} account={account} />
        ) : view === 'audit' ? (
          <AuditTrail session={session} account={account} />
        ) : (
          <JobsList session={session} account={account} query={route.query} />
        )}
      </main>
    </>
  );
}
