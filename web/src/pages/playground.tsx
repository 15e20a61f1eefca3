import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Page } from '../api';
import { CopyButton, ErrorNote, Field, JsonBlock, useData } from '../components';
import { diffLines } from '../diff';
import { formatTime } from '../format';
import { goTo, JsonataEditor } from '../jsonata-editor';
import { setQuery, useLocation } from '../router';
import type { AdapterInfo, Integration, PayloadRecord, PreviewResult } from '../types';

/** Fixtures run at this reception time unless their input says otherwise (adapters/README.md). */
const fixtureReceivedAt = 1767225600000;

interface Sample {
  body: string;
  content_type: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  received_at: number;
}

const sampleOf = (record: PayloadRecord): Sample => ({
  body: record.body,
  content_type: record.content_type ?? 'application/json',
  headers: record.headers ?? {},
  query: record.query ?? {},
  received_at: record.received_at,
});

/** The preview request: the payload as the sender's bytes, with its content type, headers and query. */
const previewBody = (sample: Sample, mapping?: string) => ({
  ...(mapping !== undefined && { mapping }),
  payload: sample.body,
  content_type: sample.content_type,
  headers: sample.headers,
  query: sample.query,
  received_at: sample.received_at,
});

/** The part of an event a fixture's expected file pins down (src/adapters/fixtures.ts, projectEvent). */
function projectEvent(event: Record<string, unknown>) {
  const { title, event_status, alert_key, description, labels, images, event_time } = event;
  return {
    title,
    event_status,
    alert_key,
    ...(description !== undefined && { description }),
    labels,
    ...(images !== undefined && { images }),
    event_time,
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

function fixtureFiles(sample: Sample, result: PreviewResult) {
  let body: unknown;
  try {
    body = JSON.parse(sample.body);
  } catch {
    body = undefined;
  }
  const input = {
    ...(body === undefined ? { raw_body: sample.body, content_type: sample.content_type } : { body }),
    ...(Object.keys(sample.headers).length > 0 && { headers: sample.headers }),
    ...(Object.keys(sample.query).length > 0 && { query: sample.query }),
    received_at: sample.received_at,
  };
  return {
    input: JSON.stringify(input, null, 2) + '\n',
    expected: JSON.stringify(sortKeys(result.events.map(projectEvent)), null, 2) + '\n',
  };
}

interface Comparison {
  request_id: string;
  received_at: number;
  same: boolean;
  before: string;
  after: string;
}

function ComparisonItem({ item }: { item: Comparison }) {
  return (
    <li class={item.same ? 'same' : 'differs'}>
      <details open={!item.same}>
        <summary>
          {item.same ? 'same output' : 'differs'} · {formatTime(item.received_at)} ·{' '}
          <span class="mono">{item.request_id}</span>
        </summary>
        {!item.same && (
          <pre class="code diff">
            {diffLines(item.before, item.after).map((line, i) => (
              <span key={i} class={`diff-${line.kind}`}>
                {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  '}
                {line.text}
                {'\n'}
              </span>
            ))}
          </pre>
        )}
      </details>
    </li>
  );
}

/** Page 5: edit a mapping against real payloads, compare with the loaded one, copy a fixture, replay a rejection. */
export function PlaygroundPage() {
  const { search } = useLocation();
  const adapterName = search.get('adapter') ?? 'prometheus';
  const integrationId = search.get('integration') ?? '';
  const pick = search.get('payload') ?? '';
  const adapters = useData('adapters', () => api<{ items: AdapterInfo[] }>('GET', '/adapters'));
  const integrations = useData('integrations', () => api<{ items: Integration[] }>('GET', '/integrations'));
  const loaded = useData(adapterName, () =>
    api<{ source: string; file: string }>('GET', `/adapters/${encodeURIComponent(adapterName)}/mapping`),
  );
  const recent = useData(`recent:${integrationId}`, () =>
    integrationId
      ? api<{ items: PayloadRecord[] }>('GET', `/integrations/${encodeURIComponent(integrationId)}/payloads`)
      : Promise.resolve({ items: [] }),
  );
  const rejected = useData(`rejected:${integrationId}`, () =>
    integrationId
      ? api<Page<PayloadRecord>>('GET', `/integrations/${encodeURIComponent(integrationId)}/rejected?limit=50`)
      : Promise.resolve({ items: [], next_cursor: null }),
  );
  const [mapping, setMapping] = useState('');
  const [payloadText, setPayloadText] = useState('');
  const [contentType, setContentType] = useState('application/json');
  const [result, setResult] = useState<PreviewResult | undefined>();
  const [error, setError] = useState<unknown>();
  const [comparisons, setComparisons] = useState<Comparison[] | undefined>();
  const [compareCount, setCompareCount] = useState(10);
  const [replay, setReplay] = useState<{ status: string; error?: { message: string } } | undefined>();
  const editor = useRef<HTMLTextAreaElement | null>(null);

  useEffect(() => {
    if (loaded.data) setMapping(loaded.data.source);
  }, [loaded.data]);
  const [kind, id] = pick.split(':') as [string, string | undefined];
  const picked =
    kind === 'recent'
      ? recent.data?.items.find((item) => item.request_id === id)
      : kind === 'rejected'
        ? rejected.data?.items.find((item) => item.id === id)
        : undefined;
  // Fill the payload once per choice: a reload of the lists (after a replay) must not reset what is shown.
  const shownPick = useRef('');
  useEffect(() => {
    if (!picked || shownPick.current === pick) return;
    shownPick.current = pick;
    setContentType(picked.content_type ?? 'application/json');
    try {
      setPayloadText(JSON.stringify(JSON.parse(picked.body), null, 2));
    } catch {
      setPayloadText(picked.body);
    }
    setReplay(undefined);
  }, [picked]);

  const sample = (): Sample => ({
    body: payloadText,
    content_type: contentType,
    headers: picked?.headers ?? {},
    query: picked?.query ?? {},
    received_at: picked?.received_at ?? fixtureReceivedAt,
  });
  const run = async () => {
    try {
      setError(undefined);
      setResult(
        await api<PreviewResult>(
          'POST',
          `/adapters/${encodeURIComponent(adapterName)}/preview-mapping`,
          previewBody(sample(), mapping),
        ),
      );
    } catch (failure) {
      setError(failure);
    }
  };
  const compare = async () => {
    const payloads = (recent.data?.items ?? []).slice(0, compareCount);
    const rows: Comparison[] = [];
    try {
      for (const record of payloads) {
        const base = `/adapters/${encodeURIComponent(adapterName)}`;
        const before = await api<PreviewResult>('POST', `${base}/preview`, previewBody(sampleOf(record)));
        const after = await api<PreviewResult>(
          'POST',
          `${base}/preview-mapping`,
          previewBody(sampleOf(record), mapping),
        );
        const text = (r: PreviewResult) =>
          JSON.stringify({ events: r.events.map(projectEvent), errors: r.errors }, null, 2);
        rows.push({
          request_id: record.request_id,
          received_at: record.received_at,
          same: text(before) === text(after),
          before: text(before),
          after: text(after),
        });
      }
      setComparisons(rows);
    } catch (failure) {
      setError(failure);
    }
  };
  const replayWithMapping = async () => {
    if (!picked?.id) return;
    try {
      setReplay(
        await api(
          'POST',
          `/integrations/${encodeURIComponent(integrationId)}/rejected/${encodeURIComponent(picked.id)}/replay-with-mapping`,
          { mapping },
        ),
      );
      rejected.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  const choose = (name: string) => (event: Event) =>
    setQuery({
      adapter: adapterName,
      integration: integrationId,
      payload: pick,
      [name]: (event.currentTarget as HTMLSelectElement).value,
      ...(name === 'adapter' && { integration: '', payload: '' }),
      ...(name === 'integration' && { payload: '' }),
    });
  const forAdapter = (integrations.data?.items ?? []).filter((integration) => integration.adapter === adapterName);
  const fixture = result && result.errors.length === 0 ? fixtureFiles(sample(), result) : undefined;

  return (
    <section>
      <h1>Adapter playground</h1>
      <form class="filters" aria-label="Adapter and payload" onSubmit={(e) => e.preventDefault()}>
        <Field label="Adapter">
          <select value={adapterName} onChange={choose('adapter')}>
            {(adapters.data?.items ?? []).map((adapter) => (
              <option key={adapter.name} value={adapter.name}>
                {adapter.title} ({adapter.name})
              </option>
            ))}
          </select>
        </Field>
        <Field label="Payloads of integration">
          <select value={integrationId} onChange={choose('integration')}>
            <option value="">None (paste a payload)</option>
            {forAdapter.map((integration) => (
              <option key={integration.id} value={integration.id}>
                {integration.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Payload">
          <select value={pick} onChange={choose('payload')} disabled={!integrationId}>
            <option value="">Pasted</option>
            {(rejected.data?.items ?? []).map((item) => (
              <option key={item.id} value={`rejected:${item.id ?? ''}`}>
                Rejected {formatTime(item.received_at)}: {item.error?.message.slice(0, 60)}
                {item.replayed_at ? ' (replayed)' : ''}
              </option>
            ))}
            {(recent.data?.items ?? []).map((item) => (
              <option key={item.request_id} value={`recent:${item.request_id}`}>
                Accepted {formatTime(item.received_at)}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <ErrorNote error={adapters.error ?? loaded.error} />
      <div class="playground">
        <div>
          <label for="mapping-editor" class="editor-label">
            Mapping (JSONata) {loaded.data && <span class="muted">— {loaded.data.file}</span>}
          </label>
          <JsonataEditor id="mapping-editor" value={mapping} onInput={setMapping} editorRef={editor} />
          <div class="row">
            <button type="button" onClick={run}>
              Run
            </button>
            <button type="button" class="secondary" onClick={() => loaded.data && setMapping(loaded.data.source)}>
              Reset to loaded mapping
            </button>
            <CopyButton text={mapping} label="Copy mapping" />
          </div>
        </div>
        <div>
          <label class="field wide">
            <span>Payload ({contentType})</span>
            <textarea
              class="payload-input"
              value={payloadText}
              onInput={(e) => setPayloadText(e.currentTarget.value)}
            />
          </label>
        </div>
      </div>
      <ErrorNote error={error} />
      {result && (
        <div class="result" aria-live="polite">
          <h2>
            Result: {result.events.length} event{result.events.length === 1 ? '' : 's'}, {result.errors.length} error
            {result.errors.length === 1 ? '' : 's'}
          </h2>
          {result.errors.length > 0 && (
            <ul class="problems">
              {result.errors.map((problem, i) => (
                <li key={i} class="error">
                  <strong>{problem.code}</strong>
                  {problem.index !== undefined && <span> (event {problem.index})</span>}: {problem.message}
                  {problem.jsonata?.line !== undefined && (
                    <button
                      type="button"
                      class="link"
                      onClick={() => goTo(editor.current, problem.jsonata?.line ?? 1, problem.jsonata?.column ?? 1)}
                    >
                      line {problem.jsonata.line}, column {problem.jsonata.column}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {result.events.length > 0 && <JsonBlock value={result.events} />}
          {kind === 'rejected' && picked && !picked.replayed_at && result.errors.length === 0 && (
            <p>
              <button type="button" onClick={replayWithMapping}>
                Replay this rejected payload with this mapping
              </button>
            </p>
          )}
          {replay && (
            <p role="status" class={replay.status === 'accepted' ? 'ok' : 'error'}>
              Replay {replay.status}
              {replay.error ? `: ${replay.error.message}` : ''}
              {replay.status === 'accepted' &&
                '. Put the mapping into the adapter (Copy mapping) so the next ones pass.'}
            </p>
          )}
          {fixture && (
            <details class="fixture">
              <summary>
                As a fixture (adapters/{adapterName}/fixtures/&lt;case&gt;.input.json and .expected.json)
              </summary>
              <JsonBlock value={fixture.input} />
              <CopyButton text={fixture.input} label="Copy input.json" />
              <JsonBlock value={fixture.expected} />
              <CopyButton text={fixture.expected} label="Copy expected.json" />
            </details>
          )}
        </div>
      )}
      <h2>Compare with the loaded mapping</h2>
      <div class="row">
        <Field label="Last payloads">
          <input
            type="number"
            min={1}
            max={20}
            value={compareCount}
            onInput={(e) => setCompareCount(Number(e.currentTarget.value) || 1)}
          />
        </Field>
        <button type="button" class="secondary" onClick={compare} disabled={!integrationId}>
          Compare
        </button>
        {!integrationId && <span class="muted">Choose an integration to compare over its payloads.</span>}
      </div>
      {comparisons && (
        <>
          <p role="status">
            {comparisons.filter((item) => !item.same).length} of {comparisons.length} payloads map differently.
          </p>
          <ul class="comparisons">
            {comparisons.map((item) => (
              <ComparisonItem key={item.request_id} item={item} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
