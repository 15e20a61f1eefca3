import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonata from 'jsonata';
import {
  collectLabels,
  flattenLabels,
  labelSeverity,
  mapSeverity,
  mergeLabels,
  parseJson,
  presentFields,
  sanitizeKey,
  sharedFunctions,
  splitTags,
  toEpochMs,
  truncate,
} from '../../src/adapters/functions.js';

interface Case<Args extends unknown[]> {
  name: string;
  args: Args;
  want: unknown;
}

function table<Args extends unknown[]>(fn: (...args: Args) => unknown, cases: Case<Args>[]): void {
  for (const { name, args, want } of cases) {
    it(name, () => assert.deepEqual(fn(...args), want));
  }
}

const manyLabels = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, `v${i}`]));
const firstFifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, `v${i}`]));
const severityTable = { high: 'Critical', Medium: 'Warning', '3': 'Info' };

describe('mapSeverity', () => {
  table(mapSeverity, [
    { name: 'exact key', args: ['high', severityTable], want: 'Critical' },
    { name: 'case-insensitive value and key', args: ['MEDIUM', severityTable], want: 'Warning' },
    { name: 'number value', args: [3, severityTable], want: 'Info' },
    { name: 'unknown value: default Warning', args: ['low', severityTable], want: 'Warning' },
    { name: 'unknown value: given fallback', args: ['low', severityTable, 'Info'], want: 'Info' },
    { name: 'missing value', args: [undefined, severityTable, 'Critical'], want: 'Critical' },
    { name: 'empty value', args: ['', severityTable], want: 'Warning' },
    { name: 'no table', args: ['high', undefined], want: 'Warning' },
  ]);
});

describe('labelSeverity', () => {
  table(labelSeverity, [
    { name: 'severity critical', args: [{ severity: 'critical' }], want: 'Critical' },
    { name: 'warn', args: [{ severity: 'WARN' }], want: 'Warning' },
    { name: 'acknowledged is Info', args: [{ severity: 'acknowledged' }], want: 'Info' },
    { name: 'unk is Info', args: [{ severity: 'unk' }], want: 'Info' },
    { name: 'ok', args: [{ severity: 'Ok' }], want: 'Ok' },
    { name: 'priority when no severity', args: [{ priority: 'info' }], want: 'Info' },
    { name: 'level last', args: [{ level: 'critical' }], want: 'Critical' },
    { name: 'severity wins over priority', args: [{ priority: 'critical', severity: 'info' }], want: 'Info' },
    { name: 'empty severity is skipped', args: [{ severity: '', priority: 'critical' }], want: 'Critical' },
    { name: 'unknown value: Warning, no fall-through', args: [{ severity: 'page', level: 'info' }], want: 'Warning' },
    { name: 'no label', args: [{ alertname: 'x' }], want: 'Warning' },
    { name: 'no labels at all', args: [undefined], want: 'Warning' },
  ]);
});

describe('sanitizeKey', () => {
  table(sanitizeKey, [
    { name: 'valid key unchanged', args: ['host_name'], want: 'host_name' },
    { name: 'dots', args: ['host.name'], want: 'host_name' },
    { name: 'dashes and slashes', args: ['k8s.io/app-name'], want: 'k8s_io_app_name' },
    { name: 'leading digit', args: ['1st'], want: '_1st' },
    { name: 'empty', args: [''], want: '_' },
    { name: 'emoji is one code point', args: ['🔥x'], want: '_x' },
    { name: 'number', args: [42], want: '_42' },
    { name: 'cut to 128', args: ['a'.repeat(200)], want: 'a'.repeat(128) },
    { name: 'undefined stays undefined', args: [undefined], want: undefined },
  ]);
});

describe('flattenLabels', () => {
  table(flattenLabels, [
    { name: 'flat strings', args: [{ env: 'prod' }], want: { env: 'prod' } },
    {
      name: 'nested',
      args: [{ host: { name: 'web-3', ip: '10.0.0.1' } }],
      want: { host_name: 'web-3', host_ip: '10.0.0.1' },
    },
    { name: 'dotted keys', args: [{ 'service.name': 'api' }], want: { service_name: 'api' } },
    { name: 'leading digit', args: [{ '2fa': 'on' }], want: { _2fa: 'on' } },
    { name: 'numbers and booleans', args: [{ n: 3, f: 1.5, b: false }], want: { n: '3', f: '1.5', b: 'false' } },
    { name: 'array of scalars joined', args: [{ tags: ['a', 1, null, '', true] }], want: { tags: 'a,1,true' } },
    { name: 'array of objects by index', args: [{ t: [{ k: 'x' }, { k: 'y' }] }], want: { t_0_k: 'x', t_1_k: 'y' } },
    { name: 'null and empty dropped', args: [{ a: null, b: '', c: [], d: {}, e: 'x' }], want: { e: 'x' } },
    {
      name: 'prefix',
      args: [{ summary: 's', 'run.book': 'r' }, 'annotation'],
      want: { annotation_summary: 's', annotation_run_book: 'r' },
    },
    { name: 'scalar with prefix', args: ['x', 'tag'], want: { tag: 'x' } },
    { name: 'capped at 50 in document order', args: [manyLabels], want: firstFifty },
    {
      name: '__proto__ is an ordinary key',
      args: [JSON.parse('{"__proto__": "x"}')],
      want: JSON.parse('{"__proto__": "x"}'),
    },
    { name: 'undefined', args: [undefined], want: undefined },
  ]);
});

describe('mergeLabels', () => {
  table(mergeLabels, [
    { name: 'later overrides', args: [[{ a: '1', b: '1' }, { b: '2' }]], want: { a: '1', b: '2' } },
    { name: 'undefined maps skipped', args: [[undefined, { a: '1' }, null]], want: { a: '1' } },
    { name: 'null and empty values do not erase', args: [[{ a: '1' }, { a: '', b: null }]], want: { a: '1' } },
    { name: 'scalars stringified', args: [[{ n: 1, b: true }]], want: { n: '1', b: 'true' } },
    {
      name: 'capped at 50, first inserted kept',
      args: [[manyLabels, { k0: 'new', extra: 'x' }]],
      want: { ...firstFifty, k0: 'new' },
    },
    { name: 'a single map', args: [{ a: '1' }], want: { a: '1' } },
  ]);
});

describe('parseJson', () => {
  table(parseJson, [
    { name: 'object', args: ['{"a":[1,2]}'], want: { a: [1, 2] } },
    { name: 'array', args: ['[{"tag":"x","value":"y"}]'], want: [{ tag: 'x', value: 'y' }] },
    { name: 'invalid JSON', args: ['{"a":'], want: undefined },
    { name: 'empty string', args: [''], want: undefined },
    { name: 'non-string as is', args: [{ a: 1 }], want: { a: 1 } },
    { name: 'undefined', args: [undefined], want: undefined },
  ]);
});

const t = Date.UTC(2025, 2, 2, 10, 14, 7); // 2025-03-02T10:14:07Z

describe('toEpochMs', () => {
  table(toEpochMs, [
    { name: 'seconds', args: [t / 1000], want: t },
    { name: 'fractional seconds', args: [t / 1000 + 0.5], want: t + 500 },
    { name: 'milliseconds', args: [t], want: t },
    { name: 'microseconds', args: [t * 1000], want: t },
    { name: 'nanoseconds', args: [t * 1e6], want: t },
    { name: 'numeric string seconds', args: [String(t / 1000)], want: t },
    { name: 'Go float string (annotation timestamp)', args: ['1.740910447e+09'], want: t },
    { name: 'ISO Z', args: ['2025-03-02T10:14:07Z'], want: t },
    { name: 'ISO nanoseconds', args: ['2025-03-02T10:14:07.512345678Z'], want: t + 512 },
    { name: 'ISO offset', args: ['2025-03-02T11:14:07+01:00'], want: t },
    { name: 'ISO offset without colon', args: ['2025-03-02T05:14:07.000-0500'], want: t },
    { name: 'ISO without zone is UTC', args: ['2025-03-02T10:14:07'], want: t },
    { name: 'date and time with space is UTC', args: ['2025-03-02 10:14:07'], want: t },
    { name: 'space form with millis', args: ['2025-03-02 10:14:07.213'], want: t + 213 },
    { name: 'Zabbix date', args: ['2025.03.02 10:14:07'], want: t },
    { name: 'date only', args: ['2025-03-02'], want: Date.UTC(2025, 2, 2) },
    { name: 'RFC 2822', args: ['Sun, 02 Mar 2025 10:14:07 +0000'], want: t },
    { name: 'RFC 2822 without weekday', args: ['2 Mar 2025 11:14:07 +0100'], want: t },
    { name: "Java's Date.toString", args: ['Sun Mar 02 10:14:07 UTC 2025'], want: t },
    { name: "Java's Date.toString, US zone", args: ['Sun Mar 02 05:14:07 EST 2025'], want: t },
    { name: 'Go zero time is unset', args: ['0001-01-01T00:00:00Z'], want: undefined },
    { name: 'zero', args: [0], want: undefined },
    { name: 'garbage', args: ['hello 2'], want: undefined },
    { name: 'month out of range', args: ['2025-13-02 10:00:00'], want: undefined },
    { name: 'boolean', args: [true], want: undefined },
    { name: 'undefined', args: [undefined], want: undefined },
  ]);
});

describe('presentFields', () => {
  table(presentFields, [
    {
      name: 'keeps strings and numbers with a value',
      args: [{ a: 'x', b: 0, c: '', d: null, e: { f: 1 }, g: [1], h: true, i: Number.NaN }],
      want: { a: 'x', b: 0 },
    },
    { name: 'a literal marks no value', args: [{ a: 'null', b: 'nullable' }, 'null'], want: { b: 'nullable' } },
    {
      name: 'prefix, suffix and infix patterns',
      args: [{ a: '$alarmid', b: 'x${y}', c: 'ok', d: 'end*', e: 'x-unset' }, ['$*', '*${*', '*-unset']],
      want: { c: 'ok', d: 'end*' },
    },
    { name: 'not an object', args: ['text'], want: {} },
    {
      name: 'a __proto__ key stays a key',
      args: [JSON.parse('{"__proto__": "p"}')],
      want: JSON.parse('{"__proto__": "p"}'),
    },
  ]);
});

describe('splitTags', () => {
  table(splitTags, [
    { name: 'defaults', args: ['env:prod,team:db,canary'], want: { env: 'prod', team: 'db', canary: 'true' } },
    { name: 'trimmed items', args: [' env : prod , team:db ,, '], want: { env: 'prod', team: 'db' } },
    { name: 'first separator only', args: ['url:http://x:80'], want: { url: 'http://x:80' } },
    { name: 'custom separators', args: ['a=1;b=2', ';', '='], want: { a: '1', b: '2' } },
    { name: 'keys sanitised', args: ['host.name:web-1,1x:y'], want: { host_name: 'web-1', _1x: 'y' } },
    { name: 'empty value is true', args: ['maintenance:'], want: { maintenance: 'true' } },
    {
      name: 'array of items',
      args: [['ident=redis-03', 'rulename=Redis mem'], ',', '='],
      want: { ident: 'redis-03', rulename: 'Redis mem' },
    },
    { name: 'empty string', args: [''], want: {} },
    { name: 'undefined', args: [undefined], want: undefined },
  ]);
});

describe('truncate', () => {
  table(truncate, [
    { name: 'shorter', args: ['abc', 5], want: 'abc' },
    { name: 'cut', args: ['abcdef', 3], want: 'abc' },
    { name: 'emoji counted as one code point', args: ['🔥🔥🔥x', 2], want: '🔥🔥' },
    { name: 'never splits a surrogate pair', args: ['a🔥b', 2], want: 'a🔥' },
    { name: 'zero', args: ['abc', 0], want: '' },
    { name: 'number stringified', args: [12345, 2], want: '12' },
    { name: 'undefined', args: [undefined, 3], want: undefined },
  ]);
});

async function evaluate(expression: string, input: unknown = {}): Promise<unknown> {
  const compiled = jsonata(expression);
  for (const fn of sharedFunctions) {
    compiled.registerFunction(fn.name, fn.implementation as (...args: unknown[]) => unknown, fn.signature);
  }
  return compiled.evaluate(input);
}

describe('shared functions through JSONata', () => {
  const input = {
    labels: { severity: 'critical', 'host.name': 'web-1' },
    nested: { a: { b: 1 } },
    tags: '[{"tag":"scope","value":"cpu"}]',
  };
  const cases: { expression: string; want: unknown }[] = [
    { expression: '$mapSeverity("HIGH", {"high": "Critical"})', want: 'Critical' },
    { expression: '$mapSeverity(missing, {"high": "Critical"}, "Info")', want: 'Info' },
    { expression: '$mapSeverity(2, {"1": "Critical", "2": "Warning"})', want: 'Warning' },
    { expression: '$labelSeverity(labels)', want: 'Critical' },
    { expression: '$labelSeverity(missing)', want: 'Warning' },
    { expression: '$sanitizeKey("host.name")', want: 'host_name' },
    { expression: '$flattenLabels(nested, "x")', want: { x_a_b: '1' } },
    { expression: '$flattenLabels(missing)', want: undefined },
    {
      expression: '$mergeLabels([missing, labels, {"severity": "info"}])',
      want: { severity: 'info', 'host.name': 'web-1' },
    },
    { expression: '$mergeLabels(labels)', want: { severity: 'critical', 'host.name': 'web-1' } },
    { expression: '$parseJson(tags).tag', want: 'scope' },
    { expression: '$parseJson("{")', want: undefined },
    { expression: '$toEpochMs("2025.03.02 10:14:07")', want: t },
    { expression: '$toEpochMs(missing)', want: undefined },
    { expression: '$splitTags("a:1,b")', want: { a: '1', b: 'true' } },
    { expression: '$splitTags(["a=1"], ",", "=")', want: { a: '1' } },
    { expression: '$truncate("🔥🔥🔥", 1)', want: '🔥' },
    { expression: '$truncate(missing, 1)', want: undefined },
  ];
  for (const { expression, want } of cases) {
    it(expression, async () => assert.deepEqual(await evaluate(expression, input), want));
  }

  it('rejects a wrongly typed argument with a JSONata type error', async () => {
    await assert.rejects(evaluate('$truncate("abc", "x")'), { code: 'T0410' });
  });

  it('registers every function with a valid signature', async () => {
    assert.deepEqual(sharedFunctions.map((fn) => fn.name).sort(), [
      'collectLabels',
      'flattenLabels',
      'labelSeverity',
      'mapSeverity',
      'mergeLabels',
      'parseJson',
      'presentFields',
      'sanitizeKey',
      'splitTags',
      'toEpochMs',
      'truncate',
    ]);
    await evaluate('1');
  });

  it('$presentFields takes one pattern or a list', async () => {
    assert.deepEqual(await evaluate('$presentFields({"a": "$x", "b": "y", "c": "null"}, "$*")'), { b: 'y', c: 'null' });
    assert.deepEqual(await evaluate('$presentFields({"a": "$x", "b": "y", "c": "null"}, ["$*", "null"])'), { b: 'y' });
    assert.deepEqual(await evaluate('$presentFields(nothing)'), {});
  });
});

describe('collectLabels', () => {
  table(collectLabels, [
    {
      name: 'first source wins',
      args: [
        [
          { job: 'api', alertname: 'Up' },
          { job: 'annotation', summary: 'down' },
        ],
      ],
      want: { job: 'api', alertname: 'Up', summary: 'down' },
    },
    {
      name: 'nested and dotted keys flattened and sanitised',
      args: [[{ 'host.name': 'a', deep: { x: 1 } }]],
      want: { host_name: 'a', deep_x: '1' },
    },
    { name: 'missing sources skipped', args: [[undefined, null, { a: 'b' }]], want: { a: 'b' } },
    { name: 'capped at 50 across sources', args: [[manyLabels, { extra: 'x' }]], want: firstFifty },
    { name: 'empty values dropped', args: [[{ a: '', b: null, c: 'x' }]], want: { c: 'x' } },
  ]);
  it('works through JSONata', async () => {
    const expression = jsonata('$collectLabels([labels, annotations])');
    for (const fn of sharedFunctions) expression.registerFunction(fn.name, fn.implementation as never, fn.signature);
    assert.deepEqual(await expression.evaluate({ labels: { a: '1' }, annotations: { a: '2', b: '3' } }), {
      a: '1',
      b: '3',
    });
  });
});
