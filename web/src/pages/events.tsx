import { useEffect, useState } from 'preact/hooks';
import { api, query, type Page } from '../api';
import { ErrorNote, Field, useData } from '../components';
import { setQuery, useLocation } from '../router';
import { EventRow } from '../trace';
import { outcomes, type Integration, type StoredEvent } from '../types';

const fields = ['integration', 'outcome', 'alert_key', 'request_id', 'q', 'since', 'until'] as const;
type Filters = Record<(typeof fields)[number], string>;

/** A datetime-local value (the browser's zone) as ISO 8601 for the API. */
const isoOf = (local: string): string | undefined => (local ? new Date(local).toISOString() : undefined);

/** Page 3: every stored event, searchable; each opens to its trace ("why did this not page me?"). */
export function EventsPage() {
  const { search } = useLocation();
  const filters = Object.fromEntries(fields.map((name) => [name, search.get(name) ?? ''])) as Filters;
  const [draft, setDraft] = useState<Filters>(filters);
  const key = JSON.stringify(filters);
  useEffect(() => setDraft(filters), [key]);
  const [extra, setExtra] = useState<StoredEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const path = (after?: string) =>
    `/events${query({ ...filters, since: isoOf(filters.since), until: isoOf(filters.until), limit: 50, cursor: after })}`;
  const { data, error } = useData(key, async () => {
    const page = await api<Page<StoredEvent>>('GET', path());
    setExtra([]);
    setCursor(page.next_cursor);
    return page;
  });
  const integrations = useData('integrations', () => api<{ items: Integration[] }>('GET', '/integrations'));
  const more = async () => {
    if (!cursor) return;
    const page = await api<Page<StoredEvent>>('GET', path(cursor));
    setExtra((previous) => [...previous, ...page.items]);
    setCursor(page.next_cursor);
  };
  const set = (name: keyof Filters) => (event: Event) =>
    setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value });
  const items = [...(data?.items ?? []), ...extra];
  return (
    <section>
      <h1>Events</h1>
      <form
        class="filters"
        aria-label="Search events"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(draft);
        }}
      >
        <Field label="Integration">
          <select value={draft.integration} onChange={set('integration')}>
            <option value="">All integrations</option>
            {(integrations.data?.items ?? []).map((integration) => (
              <option key={integration.id} value={integration.id}>
                {integration.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Outcome">
          <select value={draft.outcome} onChange={set('outcome')}>
            <option value="">Any outcome</option>
            {outcomes.map((outcome) => (
              <option key={outcome} value={outcome}>
                {outcome.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Alert key">
          <input value={draft.alert_key} onInput={set('alert_key')} />
        </Field>
        <Field label="Request id">
          <input value={draft.request_id} onInput={set('request_id')} />
        </Field>
        <Field label="Title contains">
          <input type="search" value={draft.q} onInput={set('q')} />
        </Field>
        <Field label="Received from">
          <input type="datetime-local" value={draft.since} onInput={set('since')} />
        </Field>
        <Field label="Received until">
          <input type="datetime-local" value={draft.until} onInput={set('until')} />
        </Field>
        <div class="filter-buttons">
          <button type="submit">Search</button>
          <button type="button" class="secondary" onClick={() => setQuery({})}>
            Clear
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
      {data && items.length === 0 && <p class="empty">No event matches.</p>}
      <ul class="event-list" aria-label="Events">
        {items.map((event) => (
          <EventRow key={event.event_id} event={event} />
        ))}
      </ul>
      {cursor && (
        <button type="button" class="secondary" onClick={more}>
          Load more
        </button>
      )}
    </section>
  );
}
