import { api } from '../api';
import { ErrorNote, Link, Time, useData } from '../components';
import type { Integration } from '../types';

/** Outcome counts as short text, largest first. */
export function OutcomeCounts({ counts }: { counts: Record<string, number> }) {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return <span class="muted">nothing received yet</span>;
  return (
    <ul class="outcome-counts">
      {entries.map(([outcome, count]) => (
        <li key={outcome}>
          <span class={`badge outcome outcome-${outcome}`}>{outcome.replace(/_/g, ' ')}</span> {count}
        </li>
      ))}
    </ul>
  );
}

/** Page 4: the integrations, their adapters, latest event and outcome counts. */
export function IntegrationsPage() {
  const { data, error } = useData('integrations', () => api<{ items: Integration[] }>('GET', '/integrations'));
  return (
    <section>
      <h1>Integrations</h1>
      <ErrorNote error={error} />
      {data && data.items.length === 0 && <p class="empty">No integration is configured (alertgate.yaml).</p>}
      <ul class="cards">
        {(data?.items ?? []).map((integration) => (
          <li key={integration.id} class="card">
            <h2>
              <Link href={`/integrations/${encodeURIComponent(integration.id)}`}>{integration.name}</Link>
            </h2>
            <p class="meta">
              <span>adapter {integration.adapter}</span>
              <span>channel {integration.channel_id ?? 'routed'}</span>
              {!integration.enabled && <span class="badge storm">disabled</span>}
              <span>
                latest event <Time ms={integration.latest_event_at} />
              </span>
            </p>
            <OutcomeCounts counts={integration.counts} />
          </li>
        ))}
      </ul>
    </section>
  );
}
