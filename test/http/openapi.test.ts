import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { schemasDir } from '../../src/paths.js';
import { startStack, type Stack } from '../support/stack.js';

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
