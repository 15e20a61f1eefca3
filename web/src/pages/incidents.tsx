import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query, type Page } from '../api';
import { Badge, ErrorNote, Field, Link, SeverityBadge, Time } from '../components';
import { useIncidentStream } from '../live';
import { navigate, setQuery, useLocation } from '../router';
import { isFlapping, isStorm, severities, type Channel, type Incident } from '../types';

const progressChoices: Record<string, string[] | undefined> = {
  open: ['Triggered', 'Processing'],
  Triggered: ['Triggered'],
  Processing: ['Processing'],
  Closed: ['Closed'],
  all: undefined,
};
const periods: Record<string, number | undefined> = {
  '1h': 3600_000,
  '24h': 86400_000,
  '7d': 7 * 86400_000,
  '30d': 30 * 86400_000,
  all: undefined,
};

type Filters = Record<'channel' | 'progress' | 'severity' | 'period' | 'label' | 'q', string>;

function filtersOf(search: URLSearchParams): Filters {
  return {
    channel: search.get('channel') ?? '',
    progress: search.get('progress') ?? 'open',
    severity: search.get('severity') ?? '',
    period: search.get('period') ?? 'all',
    label: search.get('label') ?? '',
    q: search.get('q') ?? '',
  };
}

function listPath(filters: Filters, cursor?: string): string {
  const period = periods[filters.period];
  return `/incidents${query({
    channel: filters.channel,
    progress: progressChoices[filters.progress],
    severity: filters.severity,
    since: period === undefined ? undefined : Date.now() - period,
    label: filters.label,
    q: filters.q,
    counts: 1,
    limit: 50,
    cursor,
  })}`;
}

/** Ack / resolve / reopen from the list or the incident page. */
export function IncidentActions({ incident, onDone }: { incident: Incident; onDone: () => void }) {
  const [error, setError] = useState<unknown>();
  const act = (action: string) => async () => {
    try {
      setError(undefined);
      await api('POST', `/incidents/${encodeURIComponent(incident.incident_id)}/${action}`, {});
      onDone();
    } catch (failure) {
      setError(failure);
    }
  };
  const name = incident.title;
  return (
    <span class="actions">
      {incident.progress === 'Triggered' && (
        <button type="button" class="secondary" onClick={act('ack')} aria-label={`Acknowledge ${name}`}>
          Ack
        </button>
      )}
      {incident.progress !== 'Closed' && (
        <button type="button" class="secondary" onClick={act('close')} aria-label={`Resolve ${name}`}>
          Resolve
        </button>
      )}
      {incident.progress === 'Closed' && (
        <button type="button" class="secondary" onClick={act('reopen')} aria-label={`Reopen ${name}`}>
          Reopen
        </button>
      )}
      <ErrorNote error={error} />
    </span>
  );
}

/** Arrow keys (and j/k) move between rows of the list; Enter follows the focused row's link. */
function onListKey(event: KeyboardEvent) {
  const keys: Record<string, number> = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1 };
  const step = keys[event.key];
  if (step === undefined) return;
  const links = [...document.querySelectorAll<HTMLAnchorElement>('.incident-list .row-link')];
  const at = links.indexOf(document.activeElement as HTMLAnchorElement);
  const next = links[Math.min(links.length - 1, Math.max(0, at + step))];
  if (next) {
    event.preventDefault();
    next.focus();
  }
}

/** Page 1: the live list of incidents with filters and counts by severity. */
export function IncidentsPage() {
  const { search } = useLocation();
  const filters = filtersOf(search);
  const key = JSON.stringify(filters);
  const [page, setPage] = useState<Page<Incident> | undefined>();
  const [error, setError] = useState<unknown>();
  const [channels, setChannels] = useState<Channel[]>([]);
  const [extra, setExtra] = useState<Incident[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const latest = useRef(key);
  latest.current = key;

  const load = () =>
    api<Page<Incident>>('GET', listPath(filters)).then(
      (found) => {
        if (latest.current !== key) return;
        setPage(found);
        setExtra([]);
        setCursor(found.next_cursor);
        setError(undefined);
      },
      (failure: unknown) => setError(failure),
    );
  useEffect(() => {
    void load();
  }, [key]);
  useEffect(() => {
    api<{ items: Channel[] }>('GET', '/channels').then(
      (found) => setChannels(found.items),
      () => undefined,
    );
  }, []);
  const live = useIncidentStream(() => void load());

  const more = async () => {
    if (!cursor) return;
    const found = await api<Page<Incident>>('GET', listPath(filters, cursor));
    setExtra((previous) => [...previous, ...found.items]);
    setCursor(found.next_cursor);
  };
  const update = (name: keyof Filters) => (event: Event) =>
    setQuery({ ...filters, [name]: (event.currentTarget as HTMLInputElement).value });
  const items = [...(page?.items ?? []), ...extra];
  const counts = page?.counts;

  return (
    <section>
      <div class="page-head">
        <h1>Incidents</h1>
        <span class={live ? 'live on' : 'live'} role="status">
          {live ? 'Live' : 'Connecting…'}
        </span>
      </div>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter incidents">
        <Field label="Channel">
          <select value={filters.channel} onChange={update('channel')}>
            <option value="">All channels</option>
            {channels.map((channel) => (
              <option key={channel.id} value={channel.id}>
                {channel.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Progress">
          <select value={filters.progress} onChange={update('progress')}>
            <option value="open">Open (triggered or acked)</option>
            <option value="Triggered">Triggered</option>
            <option value="Processing">Acknowledged</option>
            <option value="Closed">Closed</option>
            <option value="all">All</option>
          </select>
        </Field>
        <Field label="Severity">
          <select value={filters.severity} onChange={update('severity')}>
            <option value="">All severities</option>
            {severities.map((severity) => (
              <option key={severity}>{severity}</option>
            ))}
          </select>
        </Field>
        <Field label="Started within">
          <select value={filters.period} onChange={update('period')}>
            <option value="1h">1 hour</option>
            <option value="24h">24 hours</option>
            <option value="7d">7 days</option>
            <option value="30d">30 days</option>
            <option value="all">Any time</option>
          </select>
        </Field>
        <Field label="Label (key=value)">
          <input type="search" value={filters.label} onChange={update('label')} placeholder="service=api" />
        </Field>
        <Field label="Title contains">
          <input type="search" value={filters.q} onChange={update('q')} placeholder="text" />
        </Field>
      </form>
      {counts && (
        <ul class="counts" aria-label="Open incidents by severity">
          {severities.map((severity) => (
            <li key={severity}>
              <button
                type="button"
                class={`count sev-${severity.toLowerCase()}`}
                aria-pressed={filters.severity === severity}
                onClick={() => setQuery({ ...filters, severity: filters.severity === severity ? '' : severity })}
              >
                {severity} <strong>{counts[severity] ?? 0}</strong>
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorNote error={error} />
      {page && items.length === 0 && <p class="empty">No incident matches these filters.</p>}
      {items.length > 0 && (
        <ul class="incident-list" aria-label="Incidents" onKeyDown={onListKey}>
          {items.map((incident) => (
            <li key={incident.incident_id} class={`incident-row progress-${incident.progress.toLowerCase()}`}>
              <SeverityBadge severity={incident.incident_severity} />
              <div class="incident-main">
                <Link class="row-link" href={`/incidents/${encodeURIComponent(incident.incident_id)}`}>
                  {incident.title}
                </Link>
                <div class="meta">
                  <span>{incident.channel_id}</span>
                  <span>{incident.progress === 'Processing' ? 'Acknowledged' : incident.progress}</span>
                  <span>
                    {incident.alert_cnt} alert{incident.alert_cnt === 1 ? '' : 's'}
                  </span>
                  <span>
                    started <Time ms={incident.start_time} />
                  </span>
                  {isStorm(incident) && <Badge kind="storm">Storm</Badge>}
                  {isFlapping(incident) && <Badge kind="flapping">Flapping</Badge>}
                </div>
              </div>
              <IncidentActions incident={incident} onDone={() => void load()} />
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="secondary" onClick={more}>
          Load more
        </button>
      )}
      {!page && !error && <p class="loading">Loading…</p>}
      <p class="hint">
        Keys: ↑/↓ or j/k move between incidents, Enter opens one.{' '}
        <a
          href="/events"
          onClick={(e) => {
            e.preventDefault();
            navigate('/events');
          }}
        >
          Why did something not page?
        </a>
      </p>
    </section>
  );
}
