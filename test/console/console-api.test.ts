import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AdapterRegistry } from '../../src/adapters/registry.js';
import { adminToken, api, postJson, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';
import { manifestFor, tempAdaptersDir } from '../support/temp-adapters.js';
import { eventually } from '../support/waiting.js';

const strictMapping = `$exists(body.name) ? { "title": body.name, "event_status": "Warning", "alert_key": body.id } : $error("payload without name")`;
const fixedMapping = `{ "title": body.name ?: body.label, "event_status": "Warning", "alert_key": body.id }`;

/** Reads Server-Sent Events from a response body, handing each `incidents` event's data to `onEvent`. */
async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (data: { ids: string[] }) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split('\n');
      if (!lines.includes('event: incidents')) continue;
      const data = lines.find((line) => line.startsWith('data: '));
      if (data) onEvent(JSON.parse(data.slice(6)) as { ids: string[] });
    }
  }
}

for (const kind of storeKinds) {
  describe(`console session, stream and playground API (${kind})`, () => {
    const temp = tempAdaptersDir({ strict: { manifest: manifestFor('strict'), mapping: strictMapping } });
    const adapters = AdapterRegistry.load({ dir: temp.dir });
    let stack: Stack;
    let cookie = '';
    let csrf = '';
    before(async () => {
      stack = await startStack({
        store: kind,
        configFile: {
          channels: [{ id: 'ops', name: 'Operations' }],
          integrations: [
            { id: 'std', adapter: 'standard', key: 'std-key-0001', channel: 'ops' },
            { id: 'strict-int', adapter: 'strict', key: 'strict-key-0001', channel: 'ops' },
          ],
        },
        app: { adapters },
      });
    });
    after(async () => {
      await stack.close();
      temp.remove();
    });
    const url = (path: string) => `${stack.baseUrl}/api/v1${path}`;
    const withSession = (init: RequestInit = {}, extra: Record<string, string> = {}): RequestInit => ({
      ...init,
      headers: { cookie, ...extra, ...(init.body !== undefined && { 'content-type': 'application/json' }) },
    });

    test('without a session, GET /session says so (200) and the API answers 401', async () => {
      const res = await fetch(url('/session'));
      assert.equal(res.status, 200);
      assert.deepEqual(((await res.json()) as { data: unknown }).data, { authenticated: false });
      assert.equal((await fetch(url('/incidents'))).status, 401);
    });

    test('a wrong token → 401 Unauthorized, no cookie; a missing one → 400', async () => {
      const wrong = await postJson(url('/session'), { token: 'not-the-token' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error && (wrong.body.error as { code: string }).code, 'Unauthorized');
      assert.equal(wrong.headers.get('set-cookie'), null);
      const missing = await postJson(url('/session'), {});
      assert.equal(missing.status, 400);
      assert.equal((missing.body.error as { code: string }).code, 'InvalidParameter');
    });

    test('a login from another origin → 403 AccessDenied', async () => {
      const res = await postJson(url('/session'), { token: adminToken }, { origin: 'https://evil.example' });
      assert.equal(res.status, 403);
      assert.equal((res.body.error as { code: string }).code, 'AccessDenied');
    });

    test('the admin token sets an HttpOnly SameSite=Strict cookie (not Secure over http) and a CSRF token', async () => {
      const res = await postJson(url('/session'), { token: adminToken });
      assert.equal(res.status, 201);
      const setCookie = res.headers.get('set-cookie') ?? '';
      assert.match(setCookie, /^alertgate_session=[A-Za-z0-9_-]{40,};/);
      assert.match(setCookie, /; HttpOnly/);
      assert.match(setCookie, /; SameSite=Strict/);
      assert.doesNotMatch(setCookie, /Secure/);
      cookie = setCookie.split(';')[0];
      const data = res.body.data as { csrf_token: string; authenticated: boolean };
      assert.equal(data.authenticated, true);
      csrf = data.csrf_token;
      assert.ok(csrf.length >= 20);
      const session = (await (await fetch(url('/session'), withSession())).json()) as { data: { csrf_token: string } };
      assert.equal(session.data.csrf_token, csrf);
      // The page of a logged-in browser starts with its CSRF token; it is never cached.
      const page = await fetch(`${stack.baseUrl}/incidents`, withSession());
      assert.equal(page.headers.get('cache-control'), 'no-store');
      assert.match(await page.text(), new RegExp(`<meta name="alertgate-csrf" content="${csrf}">`));
    });

    test('the session cookie reads the API; a write needs the CSRF header and the own origin', async () => {
      assert.equal((await fetch(url('/incidents'), withSession())).status, 200);
      const push = await postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=std-key-0001`, {
        title_rule: 'csrf check',
        event_status: 'Critical',
        alert_key: 'csrf-1',
      });
      assert.equal(push.status, 200);
      const incidentId = await eventually('the incident', async () => {
        const page = (await api(stack, 'GET', '/incidents')).body.data as { items: Array<{ incident_id: string }> };
        return page.items[0]?.incident_id;
      });
      const ack = (extra: Record<string, string>) =>
        fetch(url(`/incidents/${incidentId}/ack`), withSession({ method: 'POST', body: '{}' }, extra));
      const bare = await ack({});
      assert.equal(bare.status, 403);
      assert.equal(((await bare.json()) as { error: { code: string } }).error.code, 'AccessDenied');
      assert.equal((await ack({ 'x-csrf-token': 'wrong' })).status, 403);
      assert.equal((await ack({ 'x-csrf-token': csrf, origin: 'https://evil.example' })).status, 403);
      const ok = await ack({ 'x-csrf-token': csrf, origin: stack.baseUrl });
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { data: { progress: string } }).data.progress, 'Processing');
    });

    test('the stream announces incidents the worker commits and actions taken through the API', async () => {
      const controller = new AbortController();
      const res = await fetch(url('/stream'), { ...withSession(), signal: controller.signal });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const seen: string[][] = [];
      const reading = readEvents(res.body as ReadableStream<Uint8Array>, (data) => seen.push(data.ids)).catch(
        () => undefined,
      );
      try {
        await announcedThrough(seen);
      } finally {
        controller.abort();
        await reading;
      }
    });

    async function announcedThrough(seen: string[][]): Promise<void> {
      // The subscription is made when the stream opens; push until an announcement arrives.
      const pushed = await eventually(
        'an announcement of a pushed incident',
        async () => {
          const key = `stream-${Date.now()}`;
          await postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=std-key-0001`, {
            title_rule: `stream ${key}`,
            event_status: 'Warning',
            alert_key: key,
          });
          const page = (await api(stack, 'GET', '/incidents')).body.data as {
            items: Array<{ incident_id: string; title: string }>;
          };
          const incident = await eventually('the pushed incident', async () => {
            const list = (await api(stack, 'GET', '/incidents')).body.data as typeof page;
            return list.items.find((item) => item.title === `stream ${key}`);
          });
          return (await eventually(
            'its announcement',
            async () => (seen.some((ids) => ids.includes(incident.incident_id)) ? true : undefined),
            5000,
          ).catch(() => undefined))
            ? incident.incident_id
            : undefined;
        },
        60_000,
      );
      const before = seen.length;
      const close = await api(stack, 'POST', `/incidents/${pushed}/close`, {});
      assert.equal(close.status, 200);
      await eventually('the close announced', async () =>
        seen.slice(before).some((ids) => ids.includes(pushed)) ? true : undefined,
      );
    }

    test('an open stream does not hold up a shutdown: it ends once the server stops listening', async () => {
      const { createServer } = await import('node:http');
      const server = createServer(stack.gateway.app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/stream`, withSession());
      assert.equal(res.status, 200);
      const reading = (async () => {
        for await (const _chunk of res.body as ReadableStream<Uint8Array>);
      })();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await reading;
    });

    test('preview-mapping: a syntax error comes with its line and column; a good mapping maps', async () => {
      const broken = await api(stack, 'POST', '/adapters/strict/preview-mapping', {
        mapping: '{\n  "title": body.name,\n  "alert_key": (body.id\n}',
        payload: { name: 'x', id: 'y' },
      });
      assert.equal(broken.status, 200);
      const problem = (broken.body.data as { errors: Array<{ code: string; jsonata: { line: number } }> }).errors[0];
      assert.equal(problem.code, 'MappingCompileError');
      assert.equal(problem.jsonata.line, 4);
      const impure = await api(stack, 'POST', '/adapters/strict/preview-mapping', {
        mapping: '{"title": "t", "event_status": "Warning", "alert_key": $string($now())}',
        payload: {},
      });
      assert.match(
        (impure.body.data as { errors: Array<{ message: string }> }).errors[0].message,
        /\$now\(\) is not allowed/,
      );
      const good = await api(stack, 'POST', '/adapters/strict/preview-mapping', {
        mapping: fixedMapping,
        payload: { label: 'disk full', id: 'a-1' },
        received_at: 1767225600000,
      });
      const data = good.body.data as { events: Array<{ title: string; alert_key: string }>; errors: unknown[] };
      assert.deepEqual(data.errors, []);
      assert.equal(data.events[0].title, 'disk full');
      assert.equal(data.events[0].alert_key, 'a-1');
    });

    test('preview-mapping: bad bodies → 400 InvalidParameter naming the field; unknown adapter → 404', async () => {
      const noMapping = await api(stack, 'POST', '/adapters/strict/preview-mapping', { payload: {} });
      assert.equal(noMapping.status, 400);
      assert.equal(noMapping.body.error?.message, 'mapping (body): must be the JSONata source of the mapping');
      const noPayload = await api(stack, 'POST', '/adapters/strict/preview-mapping', { mapping: fixedMapping });
      assert.equal(noPayload.status, 400);
      assert.equal(noPayload.body.error?.message, 'payload (body): the payload to map is required');
      const unknown = await api(stack, 'POST', '/adapters/nope/preview-mapping', { mapping: 'x', payload: {} });
      assert.equal(unknown.status, 404);
    });

    test('GET /adapters/{name}/mapping answers the loaded source', async () => {
      const res = await api(stack, 'GET', '/adapters/strict/mapping');
      assert.equal(res.status, 200);
      assert.equal((res.body.data as { source: string }).source, strictMapping);
    });

    test('a rejected payload replays through an edited mapping; the loaded adapter is unchanged', async () => {
      const push = `${stack.baseUrl}/event/push/alert/strict?integration_key=strict-key-0001`;
      assert.equal((await postJson(push, { label: 'disk full', id: 'a-1' })).status, 400);
      const rejected = (await api(stack, 'GET', '/integrations/strict-int/rejected')).body.data as {
        items: Array<{ id: string }>;
      };
      const id = rejected.items[0].id;
      const still = await api(stack, 'POST', `/integrations/strict-int/rejected/${id}/replay-with-mapping`, {
        mapping: strictMapping,
      });
      assert.equal((still.body.data as { status: string }).status, 'rejected');
      const res = await api(stack, 'POST', `/integrations/strict-int/rejected/${id}/replay-with-mapping`, {
        mapping: fixedMapping,
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data && (res.body.data as { alert_keys: string[] }).alert_keys, ['a-1']);
      const again = await api(stack, 'POST', `/integrations/strict-int/rejected/${id}/replay-with-mapping`, {
        mapping: fixedMapping,
      });
      assert.equal(again.status, 409);
      assert.equal((await postJson(push, { label: 'still', id: 'a-2' })).status, 400);
    });

    test('quick-silence-draft answers the rule a quick silence would save, and saves nothing', async () => {
      const alerts = (await api(stack, 'GET', '/alerts')).body.data as {
        items: Array<{ alert_id: string; channel_id: string }>;
      };
      const alert = alerts.items[0];
      const res = await api(stack, 'GET', `/alerts/${alert.alert_id}/quick-silence-draft?duration=2h`);
      assert.equal(res.status, 200);
      const draft = res.body.data as {
        channel_id: string;
        rule: { id: string; one_off: { start: string; end: string } };
      };
      assert.equal(draft.channel_id, alert.channel_id);
      assert.equal(Date.parse(draft.rule.one_off.end) - Date.parse(draft.rule.one_off.start), 2 * 3600_000);
      const stored = (await api(stack, 'GET', `/channels/${alert.channel_id}/silences`)).body.data as {
        items: unknown[];
      };
      assert.equal(stored.items.length, 0);
      const bad = await api(stack, 'GET', `/alerts/${alert.alert_id}/quick-silence-draft?duration=soon`);
      assert.equal(bad.status, 400);
      assert.equal((await api(stack, 'GET', '/alerts/nope/quick-silence-draft')).status, 404);
    });

    test("GET /channels/{id}/rules answers the channel's section as configured; unknown → 404", async () => {
      const res = await api(stack, 'GET', '/channels/ops/rules');
      assert.equal(res.status, 200);
      assert.deepEqual((res.body.data as { settings: unknown }).settings, { id: 'ops', name: 'Operations' });
      assert.equal((await api(stack, 'GET', '/channels/nope/rules')).status, 404);
    });

    test('logout ends the session: the old cookie no longer reads the API', async () => {
      const res = await fetch(url('/session'), withSession({ method: 'DELETE' }, { 'x-csrf-token': csrf }));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('set-cookie') ?? '', /Max-Age=0/);
      assert.equal((await fetch(url('/incidents'), withSession())).status, 401);
    });

    test('the console pages answer index.html; assets are long-cached', async () => {
      const page = await fetch(`${stack.baseUrl}/incidents/some-id`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<div id="app"><\/div>/);
      assert.match(html, /<meta name="alertgate-csrf" content="">/);
      const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      assert.ok(script);
      const asset = await fetch(`${stack.baseUrl}${script}`);
      assert.equal(asset.status, 200);
      assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
      assert.equal((await fetch(`${stack.baseUrl}/console/assets/nope.js`)).status, 404);
    });
  });
}

describe('console: false', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      store: 'sqlite',
      worker: false,
      configFile: { console: false, channels: [{ id: 'ops' }], integrations: [] },
    });
  });
  after(() => stack.close());

  test('serves no page and no asset; the API stays', async () => {
    const page = await fetch(`${stack.baseUrl}/incidents`);
    assert.equal(page.status, 404);
    assert.equal(((await page.json()) as { error: { code: string } }).error.code, 'RouteNotFound');
    assert.equal((await fetch(`${stack.baseUrl}/`)).status, 404);
    assert.equal((await api(stack, 'GET', '/incidents')).status, 200);
  });
});
