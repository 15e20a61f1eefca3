import { useState } from 'preact/hooks';
import { api, type Page } from '../api';
import { CopyButton, ErrorNote, Link, Time, useData } from '../components';
import { formatTime } from '../format';
import type { Integration, PayloadRecord } from '../types';
import { OutcomeCounts } from './integrations';

const standardSample = JSON.stringify({
  title_rule: 'High latency on $service',
  event_status: 'Warning',
  alert_key: 'latency-api',
  labels: { service: 'api' },
});

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** A ready curl command: the latest accepted payload of the integration, or a standard event. */
function curlFor(integration: Integration, recent: PayloadRecord | undefined): string {
  const body = recent?.body ?? (integration.adapter === 'standard' ? standardSample : '{}');
  const type = recent?.content_type ?? 'application/json';
  return `curl -X POST ${shellQuote(integration.push_url)} \\\n  -H ${shellQuote(`content-type: ${type}`)} \\\n  --data ${shellQuote(body)}`;
}

function PayloadBody({ payload }: { payload: PayloadRecord }) {
  let shown = payload.body;
  try {
    shown = JSON.stringify(JSON.parse(payload.body), null, 2);
  } catch {
    // Not JSON: shown as received.
  }
  return <pre class="code">{shown}</pre>;
}

const playgroundLink = (integration: Integration, which: string) =>
  `/playground?integration=${encodeURIComponent(integration.id)}&adapter=${encodeURIComponent(integration.adapter)}&payload=${encodeURIComponent(which)}`;

function RejectedItem({
  integration,
  payload,
  onReplayed,
}: {
  integration: Integration;
  payload: PayloadRecord;
  onReplayed: () => void;
}) {
  const [result, setResult] = useState<{ status: string; error?: { message: string } } | undefined>();
  const [error, setError] = useState<unknown>();
  const replay = async () => {
    try {
      setError(undefined);
      setResult(
        await api('POST', `/integrations/${encodeURIComponent(integration.id)}/rejected/${payload.id}/replay`, {}),
      );
      onReplayed();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <li class="payload">
      <details>
        <summary>
          <span class="badge outcome outcome-rejected">{payload.error?.code}</span> {payload.error?.message}{' '}
          <span class="muted">
            {formatTime(payload.received_at)}
            {payload.replayed_at ? ' · replayed' : ''}
          </span>
        </summary>
        <PayloadBody payload={payload} />
      </details>
      <span class="actions">
        {!payload.replayed_at && (
          <button type="button" class="secondary" onClick={replay}>
            Replay
          </button>
        )}
        <Link class="button secondary" href={playgroundLink(integration, `rejected:${payload.id ?? ''}`)}>
          Open in playground
        </Link>
      </span>
      {result && (
        <p role="status">
          Replay {result.status}
          {result.error ? `: ${result.error.message}` : ''}
        </p>
      )}
      <ErrorNote error={error} />
    </li>
  );
}

/** Page 4 (one integration): push URL, curl, activity, recent accepted payloads and rejected ones with replay. */
export function IntegrationPage({ id }: { id: string }) {
  const path = `/integrations/${encodeURIComponent(id)}`;
  const { data: integration, error, reload } = useData(id, () => api<Integration>('GET', path));
  const recent = useData(`${id}:recent`, () => api<{ items: PayloadRecord[] }>('GET', `${path}/payloads`));
  const rejected = useData(`${id}:rejected`, () => api<Page<PayloadRecord>>('GET', `${path}/rejected?limit=50`));
  if (error) return <ErrorNote error={error} />;
  if (!integration) return <p class="loading">Loading…</p>;
  const latest = recent.data?.items[0];
  return (
    <section>
      <p class="crumbs">
        <Link href="/integrations">← Integrations</Link>
      </p>
      <h1>{integration.name}</h1>
      <dl class="facts">
        <dt>Adapter</dt>
        <dd>{integration.adapter}</dd>
        <dt>Channel</dt>
        <dd>{integration.channel_id ?? 'routed by its rules'}</dd>
        <dt>Latest event</dt>
        <dd>
          {formatTime(integration.latest_event_at)} (<Time ms={integration.latest_event_at} />)
        </dd>
        <dt>Outcomes</dt>
        <dd>
          <OutcomeCounts counts={integration.counts} />
        </dd>
      </dl>
      <h2>Push URL</h2>
      <div class="copy-line">
        <code class="mono">{integration.push_url}</code>
        <CopyButton text={integration.push_url} label="Copy URL" />
      </div>
      <pre class="code">{curlFor(integration, latest)}</pre>
      <CopyButton text={curlFor(integration, latest)} label="Copy curl" />
      <h2>Rejected payloads</h2>
      <ErrorNote error={rejected.error} />
      {rejected.data && rejected.data.items.length === 0 && <p class="empty">None.</p>}
      <ul class="payloads">
        {(rejected.data?.items ?? []).map((payload) => (
          <RejectedItem
            key={payload.id}
            integration={integration}
            payload={payload}
            onReplayed={() => {
              rejected.reload();
              reload();
            }}
          />
        ))}
      </ul>
      <h2>Last accepted payloads</h2>
      <ErrorNote error={recent.error} />
      {recent.data && recent.data.items.length === 0 && <p class="empty">None yet.</p>}
      <ul class="payloads">
        {(recent.data?.items ?? []).map((payload) => (
          <li key={payload.request_id} class="payload">
            <details>
              <summary>
                {formatTime(payload.received_at)} · {payload.events ?? 0} event{payload.events === 1 ? '' : 's'} ·{' '}
                <span class="mono">{payload.request_id}</span>
              </summary>
              <PayloadBody payload={payload} />
            </details>
            <Link class="button secondary" href={playgroundLink(integration, `recent:${payload.request_id}`)}>
              Open in playground
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
