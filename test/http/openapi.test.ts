import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { schemasDir } from '../../src/paths.js';
import { apiResponseValidator } from '../../src/schemas.js';
import { api, postJson, startStack, type Stack } from '../support/stack.js';
import { storeKinds } from '../support/stores.js';

interface Operation {
  responses?: Record<string, unknown>;
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

/** The router internals (express 5 / router 2) this test reads. */
interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every route of the app as `METHOD /path` with OpenAPI-style `{params}`; `ALL` for router.all. */
function registeredRoutes(stack: Layer[], prefix = ''): string[] {
  const routes: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      assert.equal(typeof layer.route.path, 'string', 'routes are registered with string paths');
      const path = `${prefix}${layer.route.path as string}`.replace(/:(\w+)/g, '{$1}');
      for (const method of Object.keys(layer.route.methods))
        routes.push(`${method === '_all' ? 'ALL' : method.toUpperCase()} ${path}`);
    } else if (Array.isArray(layer.handle?.stack)) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      routes.push(...registeredRoutes(layer.handle.stack, prefix + mount));
    }
  }
  return routes;
}

describe('GET /api/v1/openapi.json (contract §6)', () => {
  let stack: Stack;
  let doc: OpenApi;
  let routes: string[];
  before(async () => {
    stack = await startStack({ store: 'sqlite', worker: false });
    routes = registeredRoutes((stack.gateway.app as unknown as { router: { stack: Layer[] } }).router.stack);
  });
  after(() => stack.close());

  test('is served without the admin token, as JSON that parses as OpenAPI 3.1', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    doc = JSON.parse(await res.text()) as OpenApi;
    assert.match(doc.openapi, /^3\.1\./);
    assert.equal(typeof doc.paths, 'object');
    // The rest of /api/v1 still needs the token.
    assert.equal((await fetch(`${stack.baseUrl}/api/v1/integrations`)).status, 401);
  });

  test('documents every route under /api/v1 and /event/push, and the other endpoints the app registers', () => {
    assert.ok(doc, 'document fetched');
    const documented = routes.filter((route) => / \/(api\/v1|event\/push)\//.test(route));
    assert.ok(
      documented.length >= 30,
      `expected the walk to find the API routes, found ${documented.length}: ${routes.join(', ')}`,
    );
    const missing = routes.filter((route) => {
      const [method, path] = route.split(' ') as [string, string];
      const item = doc.paths[path];
      if (!item) return true;
      if (method === 'ALL') return !httpMethods.some((candidate) => candidate in item);
      return !(method.toLowerCase() in item);
    });
    assert.deepEqual(missing, [], 'routes missing from schemas/openapi.json');
  });

  test('describes no route the app does not have', () => {
    const known = new Set(routes);
    const extra: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of httpMethods.filter((candidate) => candidate in item)) {
        if (!known.has(`${method.toUpperCase()} ${path}`) && !known.has(`ALL ${path}`))
          extra.push(`${method.toUpperCase()} ${path}`);
      }
    }
    assert.deepEqual(extra, []);
  });

  test('every path has operations, each with at least one response', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const operations = httpMethods.filter((method) => method in item);
      assert.ok(operations.length > 0, `${path} has no operation`);
      for (const method of operations) {
        const responses = (item[method] as Operation).responses ?? {};
        assert.ok(Object.keys(responses).length > 0, `${method.toUpperCase()} ${path} has no response`);
      }
    }
  });

  test('the served document is self-contained: every $ref points inside it', () => {
    const refs = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === 'object' && value !== null) {
        const { $ref } = value as { $ref?: unknown };
        if (typeof $ref === 'string') refs.add($ref);
        Object.values(value).forEach(walk);
      }
    };
    walk(doc);
    const resolve = (ref: string): unknown =>
      ref
        .slice(2)
        .split('/')
        .reduce<unknown>(
          (node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')],
          doc,
        );
    assert.deepEqual(
      [...refs].filter((ref) => !ref.startsWith('#/') || resolve(ref) === undefined),
      [],
    );
  });

  test('the error codes and the standard event shape match the source', async () => {
    const { errorStatuses } = await import('../../src/errors.js');
    assert.deepEqual(
      [...(doc.components.schemas.ErrorCode.enum as string[])].sort(),
      Object.keys(errorStatuses).sort(),
    );
    const standard = JSON.parse(readFileSync(join(schemasDir, 'standard-alert.schema.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const copy = doc.components.schemas.StandardAlert;
    for (const key of ['type', 'required', 'properties', 'if', 'then', 'additionalProperties'])
      assert.deepEqual(copy[key], standard[key], `StandardAlert.${key}`);
    const body = JSON.stringify((doc.paths['/event/push/alert/standard'].post as { requestBody: unknown }).requestBody);
    assert.ok(body.includes('#/components/schemas/StandardAlert'));
  });
});

/** The component a documented response's `data` (or whole body, for errors) is described by. */
function responseComponent(doc: OpenApi, method: string, path: string, status: number): string {
  const operation = doc.paths[path]?.[method] as Operation | undefined;
  assert.ok(operation, `${method.toUpperCase()} ${path} is documented`);
  const response = operation.responses?.[String(status)] as Record<string, unknown> | undefined;
  assert.ok(response, `${method.toUpperCase()} ${path} documents ${status}`);
  const text = JSON.stringify(response);
  if (typeof response.$ref === 'string') return 'Error';
  const data = /"data":\{"\$ref":"#\/components\/schemas\/([^"]+)"\}/.exec(text);
  assert.ok(data, `${method.toUpperCase()} ${path} ${status} describes its data with a component: ${text}`);
  return data[1];
}

for (const kind of storeKinds) {
  describe(`API responses match schemas/openapi.json on ${kind}`, () => {
    let stack: Stack;
    let doc: OpenApi;
    before(async () => {
      stack = await startStack({
        store: kind,
        configFile: {
          channels: [
            {
              id: 'ops',
              grouping: { method: 'rules', equals: [['labels.check']] },
              storm_thresholds: [2],
              silences: [
                {
                  id: 'staging',
                  if: [{ key: 'labels.env', op: 'IN', values: ['staging'] }],
                  one_off: { start: 0, end: 4102444800 },
                },
              ],
              inhibitions: [
                {
                  id: 'host-down',
                  source: [{ key: 'severity', op: 'IN', values: ['Critical'] }],
                  target: [{ key: 'severity', op: 'IN', values: ['Warning'] }],
                  equal: ['labels.host'],
                },
              ],
            },
          ],
          integrations: [
            {
              id: 'std',
              adapter: 'standard',
              key: 'test-key-0001',
              channel: 'ops',
              rate_limit: { per_second: 100000, per_minute: 1000000 },
            },
          ],
        },
      });
      doc = (await (await fetch(`${stack.baseUrl}/api/v1/openapi.json`)).json()) as OpenApi;
      const push = (body: unknown) =>
        postJson(`${stack.baseUrl}/event/push/alert/standard?integration_key=test-key-0001`, body);
      await push([
        { title_rule: 'disk full', event_status: 'Critical', alert_key: 'd1', labels: { check: 'disk', host: 'h1' } },
        { title_rule: 'disk full', event_status: 'Critical', alert_key: 'd2', labels: { check: 'disk' } },
        { title_rule: 'db down', event_status: 'Critical', alert_key: 's1', labels: { env: 'staging' } },
      ]);
      // After its source is stored: events of different alerts apply in parallel lanes.
      await stack.waitForEvents(3);
      await push({
        title_rule: 'disk slow',
        event_status: 'Warning',
        alert_key: 'w1',
        labels: { host: 'h1' },
        images: [{ src: 'https://example.com/a.png', alt: 'graph' }],
      });
      await stack.waitForEvents(4);
      await push({ title_rule: 'disk full', event_status: 'Ok', alert_key: 'd2' });
      await push({ title_rule: 'gone', event_status: 'Ok', alert_key: 'none' });
      await stack.waitForEvents(6);
      await stack.waitForIdle();
    });
    after(() => stack.close());

    test('every documented body of the read API, with and without ISO times, and the errors', async () => {
      const first = async (path: string, field: string): Promise<string> => {
        const { items } = (await api(stack, 'GET', path)).body.data as { items: Array<Record<string, unknown>> };
        assert.ok(items.length > 0, `${path} has items`);
        return String(items[0][field]);
      };
      const incidentId = await first('/incidents?channel=ops', 'incident_id');
      const alertId = await first('/alerts?limit=500', 'alert_id');
      const eventId = await first('/events?limit=500', 'event_id');
      const muted = (await api(stack, 'GET', '/alerts?limit=500')).body.data as {
        items: Array<{ muted: { reason: string } | null }>;
      };
      assert.deepEqual(muted.items.map((alert) => alert.muted?.reason ?? 'none').sort(), [
        'inhibited',
        'none',
        'none',
        'silenced',
      ]);
      const requests: Array<[method: 'GET' | 'POST', docPath: string, path: string, status: number, body?: unknown]> = [
        ['GET', '/api/v1/events', '/events?limit=500', 200],
        ['GET', '/api/v1/events', '/events?limit=2&outcome=new_alert', 200],
        ['GET', '/api/v1/events/{id}', `/events/${eventId}`, 200],
        ['GET', '/api/v1/events/{id}', '/events/NOPE', 404],
        ['GET', '/api/v1/events', '/events?since=soon', 400],
        ['GET', '/api/v1/incidents', '/incidents?counts=1', 200],
        ['GET', '/api/v1/incidents/{id}', `/incidents/${incidentId}`, 200],
        ['GET', '/api/v1/alerts', '/alerts?limit=500', 200],
        ['GET', '/api/v1/alerts/{id}', `/alerts/${alertId}`, 200],
        ['GET', '/api/v1/integrations', '/integrations', 200],
        ['GET', '/api/v1/integrations/{id}', '/integrations/std', 200],
        ['GET', '/api/v1/channels', '/channels', 200],
        ['GET', '/api/v1/channels/{id}/silences', '/channels/ops/silences', 200],
        ['GET', '/api/v1/channels/{id}/silences/{sid}', '/channels/ops/silences/staging', 200],
        ['POST', '/api/v1/alerts/{id}/quick-silence', `/alerts/${alertId}/quick-silence`, 201, {}],
        ['POST', '/api/v1/incidents/{id}/ack', `/incidents/${incidentId}/ack`, 200, {}],
        ['POST', '/api/v1/incidents/{id}/unack', `/incidents/${incidentId}/unack`, 200, {}],
      ];
      const envelope = apiResponseValidator('Envelope');
      let checked = 0;
      for (const [method, docPath, path, status, body] of requests) {
        for (const suffix of status === 200 || status === 201 ? ['', 'time_format=iso'] : ['']) {
          const url = suffix === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${suffix}`;
          const res = await api(stack, method, url, body);
          assert.equal(res.status, status === 201 && suffix !== '' ? 200 : status, `${method} ${url}`);
          const component = responseComponent(doc, method.toLowerCase(), docPath, status);
          const [validate, value] =
            component === 'Error'
              ? [apiResponseValidator('Error'), res.body]
              : [apiResponseValidator(component), res.body.data];
          assert.ok(envelope(res.body) || component === 'Error', `${method} ${url}: envelope`);
          assert.ok(
            validate(value),
            `${method} ${url} against ${component}: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
          );
          checked += 1;
        }
      }
      assert.equal(checked, 32);
    });

    test('a body the document does not describe fails: the check has teeth', () => {
      const validate = apiResponseValidator('Incident');
      assert.equal(validate({ incident_id: 'x' }), false);
      const event = apiResponseValidator('Event');
      assert.equal(event({ event_id: 'x', open_grouping_key: 'k' }), false);
    });
  });
}
