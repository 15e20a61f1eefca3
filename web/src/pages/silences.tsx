import { useEffect, useState } from 'preact/hooks';
import { api, query, type Page } from '../api';
import { ErrorNote, Field, JsonBlock, useData } from '../components';
import { formatTime } from '../format';
import { setQuery, useLocation } from '../router';
import { TraceSteps } from '../trace';
import type { Channel, StoredEvent } from '../types';

interface SilenceView {
  id: string;
  source?: string;
  name?: string;
  rule?: Record<string, unknown>;
  active?: boolean;
  expires_at?: number | null;
  created_by?: string | null;
  [field: string]: unknown;
}

const template = (now: number) =>
  JSON.stringify(
    {
      id: `maintenance-${new Date(now).toISOString().slice(0, 10)}`,
      name: 'Maintenance window',
      if: [{ key: 'labels.service', op: 'IN', values: ['api'] }],
      mode: 'mark',
      one_off: { start: new Date(now).toISOString(), end: new Date(now + 2 * 3600_000).toISOString() },
    },
    null,
    2,
  );

function ruleOf(silence: SilenceView): Record<string, unknown> {
  return (silence.rule ?? silence) as Record<string, unknown>;
}

function SilenceItem({ channel, silence, onChange }: { channel: string; silence: SilenceView; onChange: () => void }) {
  const [error, setError] = useState<unknown>();
  const rule = ruleOf(silence);
  const window = rule.one_off as { start: string; end: string } | undefined;
  const expire = async () => {
    try {
      await api('DELETE', `/channels/${encodeURIComponent(channel)}/silences/${encodeURIComponent(silence.id)}`);
      onChange();
    } catch (failure) {
      setError(failure);
    }
  };
  const fromConfig = silence.source === 'config';
  return (
    <li class="silence card">
      <div class="alert-head">
        <div class="incident-main">
          <strong>{String(rule.name ?? silence.id)}</strong>
          <div class="meta">
            <span class="mono">{silence.id}</span>
            <span>
              {fromConfig
                ? 'alertgate.yaml (read-only)'
                : `stored${silence.created_by ? ` by ${silence.created_by}` : ''}`}
            </span>
            <span>mode {String(rule.mode ?? 'mark')}</span>
            {window && (
              <span>
                {formatTime(Date.parse(window.start))} → {formatTime(Date.parse(window.end))}
              </span>
            )}
            {rule.weekly !== undefined && <span>weekly</span>}
          </div>
        </div>
        {!fromConfig && (
          <button type="button" class="secondary" onClick={expire} aria-label={`Expire silence ${silence.id}`}>
            Expire now
          </button>
        )}
      </div>
      <JsonBlock value={rule.if} />
      <ErrorNote error={error} />
    </li>
  );
}

function SilenceForm({ channel, alertId, onSaved }: { channel: string; alertId: string; onSaved: () => void }) {
  const [text, setText] = useState(() => template(Date.now()));
  const [duration, setDuration] = useState('1d');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState('');
  useEffect(() => {
    if (!alertId) return;
    api<{ channel_id: string; rule: unknown }>(
      'GET',
      `/alerts/${encodeURIComponent(alertId)}/quick-silence-draft${query({ duration })}`,
    ).then(
      (draft) => setText(JSON.stringify(draft.rule, null, 2)),
      (failure: unknown) => setError(failure),
    );
  }, [alertId, duration]);
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      setError(undefined);
      const rule = JSON.parse(text) as unknown;
      const created = await api<{ id: string }>('POST', `/channels/${encodeURIComponent(channel)}/silences`, rule);
      setSaved(created.id);
      onSaved();
    } catch (failure) {
      setError(
        failure instanceof SyntaxError ? new Error(`The silence is not valid JSON: ${failure.message}`) : failure,
      );
    }
  };
  return (
    <form class="card" onSubmit={save} aria-label="New silence">
      <h2>{alertId ? `Quick silence for alert ${alertId}` : 'New silence'}</h2>
      {alertId && (
        <Field label="Duration">
          <select value={duration} onChange={(e) => setDuration(e.currentTarget.value)}>
            <option value="30m">30 minutes</option>
            <option value="1h">1 hour</option>
            <option value="4h">4 hours</option>
            <option value="1d">1 day</option>
            <option value="1w">1 week</option>
          </select>
        </Field>
      )}
      <label class="field wide">
        <span>Silence rule (as in alertgate.yaml; edit before saving)</span>
        <textarea class="rule-input" value={text} onInput={(e) => setText(e.currentTarget.value)} rows={14} />
      </label>
      <ErrorNote error={error} />
      {saved && (
        <p role="status" class="ok">
          Saved silence {saved}.
        </p>
      )}
      <button type="submit">Save silence</button>
    </form>
  );
}

interface DryRunReport {
  events: Array<{
    index: number;
    replayed_event_id: string | null;
    alert_key: string;
    title: string;
    outcome: string;
    trace: StoredEvent['trace'];
  }>;
  summary: {
    events: number;
    outcomes: Record<string, number>;
    incidents_opened: number;
    incidents_updated: number;
  };
}

function DryRun({ channel }: { channel: string }) {
  const [count, setCount] = useState(50);
  const [fragment, setFragment] = useState('');
  const [report, setReport] = useState<{ dry: DryRunReport; stored: Map<string, string> } | undefined>();
  const [error, setError] = useState<unknown>();
  const run = async (event: Event) => {
    event.preventDefault();
    try {
      setError(undefined);
      const config = fragment.trim() ? (JSON.parse(fragment) as unknown) : undefined;
      const dry = await api<DryRunReport>('POST', '/rules/dry-run', {
        last: { channel, count },
        ...(config !== undefined && { config }),
      });
      // What the stored events did then, to show what would change now.
      const stored = await api<Page<StoredEvent>>(
        'GET',
        `/events${query({ channel, limit: Math.min(500, count) })}`,
      ).then(
        (page) => new Map(page.items.map((item) => [item.event_id, item.outcome])),
        () => new Map<string, string>(),
      );
      setReport({ dry, stored });
    } catch (failure) {
      setError(
        failure instanceof SyntaxError ? new Error(`The fragment is not valid JSON: ${failure.message}`) : failure,
      );
    }
  };
  const changed = report?.dry.events.filter(
    (item) =>
      item.replayed_event_id &&
      report.stored.has(item.replayed_event_id) &&
      report.stored.get(item.replayed_event_id) !== item.outcome,
  );
  return (
    <form class="card" onSubmit={run} aria-label="Dry run">
      <h2>Dry run over the last events</h2>
      <p class="muted">
        Replays the channel's last stored events through the rules (nothing is stored). Optionally try a configuration
        fragment, as JSON: <code>{'{"channels": [{"id": "…", "drop": [...]}]}'}</code>.
      </p>
      <Field label="Last events">
        <input
          type="number"
          min={1}
          max={500}
          value={count}
          onInput={(e) => setCount(Number(e.currentTarget.value) || 1)}
        />
      </Field>
      <label class="field wide">
        <span>Configuration fragment (optional, JSON)</span>
        <textarea value={fragment} onInput={(e) => setFragment(e.currentTarget.value)} rows={4} />
      </label>
      <button type="submit">Run dry run</button>
      <ErrorNote error={error} />
      {report && (
        <div aria-live="polite">
          <p role="status">
            {report.dry.summary.events} events: {report.dry.summary.incidents_opened} incidents would open,{' '}
            {report.dry.summary.incidents_updated} would change;{' '}
            {Object.entries(report.dry.summary.outcomes)
              .map(([outcome, n]) => `${n} ${outcome.replace(/_/g, ' ')}`)
              .join(', ')}
            . {changed?.length ?? 0} would end differently than they did.
          </p>
          {changed && changed.length > 0 && (
            <ul class="event-list">
              {changed.map((item) => (
                <li key={item.index} class="event-row">
                  <strong>{item.title}</strong> <span class="mono">{item.alert_key}</span>:{' '}
                  {report.stored.get(item.replayed_event_id ?? '')} → <strong>{item.outcome}</strong>
                  <TraceSteps trace={item.trace} />
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}

/** Page 6: a channel's silences (list, create, expire, quick silence from an alert), its rules and a dry run. */
export function SilencesPage() {
  const { search } = useLocation();
  const channels = useData('channels', () => api<{ items: Channel[] }>('GET', '/channels'));
  const channel = search.get('channel') ?? channels.data?.items[0]?.id ?? '';
  const alertId = search.get('alert') ?? '';
  const silences = useData(`silences:${channel}`, () =>
    channel
      ? api<{ items: SilenceView[] }>('GET', `/channels/${encodeURIComponent(channel)}/silences`)
      : Promise.resolve({ items: [] }),
  );
  const info = channels.data?.items.find((item) => item.id === channel);
  const rules = useData(`rules:${channel}`, () =>
    channel
      ? api<{ source: string; settings: unknown }>('GET', `/channels/${encodeURIComponent(channel)}/rules`)
      : Promise.resolve(undefined),
  );
  return (
    <section>
      <h1>Silences and rules</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Channel">
        <Field label="Channel">
          <select value={channel} onChange={(e) => setQuery({ channel: e.currentTarget.value })}>
            {(channels.data?.items ?? []).map((item) => (
              <option key={item.id} value={item.id}>
                {item.name}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <ErrorNote error={channels.error ?? silences.error} />
      {info && rules.data && (
        <details class="card">
          <summary>
            Rules of channel {info.name} (read-only, from{' '}
            {rules.data.source === 'example' ? 'the bundled example' : rules.data.source})
          </summary>
          <JsonBlock value={rules.data.settings} />
        </details>
      )}
      <ErrorNote error={rules.error} />
      <h2>Silences</h2>
      {silences.data && silences.data.items.length === 0 && <p class="empty">No silence in this channel.</p>}
      <ul class="silences">
        {(silences.data?.items ?? []).map((silence) => (
          <SilenceItem key={silence.id} channel={channel} silence={silence} onChange={silences.reload} />
        ))}
      </ul>
      {channel && <SilenceForm channel={channel} alertId={alertId} onSaved={silences.reload} />}
      {channel && <DryRun channel={channel} />}
    </section>
  );
}
