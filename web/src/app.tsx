import { useEffect, useState } from 'preact/hooks';
import { api, onUnauthorized, setCsrfToken } from './api';
import { Link } from './components';
import { timeZone } from './format';
import { match, navigate, useLocation } from './router';
import { EventsPage } from './pages/events';
import { IncidentPage } from './pages/incident';
import { IncidentsPage } from './pages/incidents';
import { IntegrationPage } from './pages/integration';
import { IntegrationsPage } from './pages/integrations';
import { LoginPage } from './pages/login';
import { PlaygroundPage } from './pages/playground';
import { SilencesPage } from './pages/silences';

type Session = { authenticated: boolean; csrf_token?: string };

const sections = [
  { href: '/incidents', label: 'Incidents' },
  { href: '/events', label: 'Events' },
  { href: '/integrations', label: 'Integrations' },
  { href: '/playground', label: 'Playground' },
  { href: '/silences', label: 'Silences & rules' },
];

function Page({ path }: { path: string }) {
  let params: Record<string, string> | undefined;
  if ((params = match('/incidents/:id', path))) return <IncidentPage id={params.id} />;
  if ((params = match('/integrations/:id', path))) return <IntegrationPage id={params.id} />;
  if (match('/events', path)) return <EventsPage />;
  if (match('/integrations', path)) return <IntegrationsPage />;
  if (match('/playground', path)) return <PlaygroundPage />;
  if (match('/silences', path)) return <SilencesPage />;
  return <IncidentsPage />;
}

/** The server writes the session's CSRF token into the page when the request had a live session cookie. */
function sessionOfPage(): Session {
  const token = document.querySelector<HTMLMetaElement>('meta[name="alertgate-csrf"]')?.content ?? '';
  return token ? { authenticated: true, csrf_token: token } : { authenticated: false };
}

/** The console: the session check, the navigation, and the page of the current URL. */
export function App() {
  const { path } = useLocation();
  const [session, setSession] = useState<Session>(sessionOfPage);
  useEffect(() => {
    setCsrfToken(session.csrf_token);
    onUnauthorized(() => setSession({ authenticated: false }));
  }, []);
  if (!session.authenticated)
    return (
      <LoginPage
        onLogin={(token) => {
          setCsrfToken(token);
          setSession({ authenticated: true, csrf_token: token });
          if (path === '/login') navigate('/incidents', true);
        }}
      />
    );
  const logout = async () => {
    await api('DELETE', '/session').catch(() => undefined);
    setCsrfToken(undefined);
    setSession({ authenticated: false });
  };
  const current = path === '/' ? '/incidents' : path;
  return (
    <div class="shell">
      <header class="top">
        <Link href="/incidents" class="brand">
          alertgate
        </Link>
        <nav aria-label="Sections">
          {sections.map((section) => (
            <Link
              key={section.href}
              href={section.href}
              aria-current={current.startsWith(section.href) ? 'page' : undefined}
            >
              {section.label}
            </Link>
          ))}
        </nav>
        <span class="zone" title="Times are shown in this time zone">
          {timeZone}
        </span>
        <button type="button" class="secondary" onClick={logout}>
          Log out
        </button>
      </header>
      <main>
        <Page path={current} />
      </main>
    </div>
  );
}
