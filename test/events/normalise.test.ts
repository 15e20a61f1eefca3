import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../src/errors.js';
import { normaliseStandardEvent, toEpochMillis, type NormaliseContext } from '../../src/events/normalise.js';
import { codePointLength } from '../../src/events/truncate.js';

const context: NormaliseContext = {
  integrationId: 'int-1',
  integrationName: 'Integration One',
  integrationType: 'standard',
  receivedAt: 1_767_225_600_000,
};
const base = { title_rule: 'cpu', event_status: 'Critical' };

function rejects(event: unknown, message: string | RegExp, extra: Partial<NormaliseContext> = {}): void {
  assert.throws(
    () => normaliseStandardEvent(event, { ...context, ...extra }),
    (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'InvalidParameter');
      assert.equal(error.status, 400);
      if (typeof message === 'string') assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    },
  );
}

const emoji = '😀';

describe('field limits at their edges (code points)', () => {
  for (const length of [511, 512, 513]) {
    test(`title of ${length} code points → ${Math.min(length, 512)}`, () => {
      const event = normaliseStandardEvent({ ...base, title_rule: emoji.repeat(length) }, context);
      assert.equal(codePointLength(event.title), Math.min(length, 512));
      assert.equal(event.title, emoji.repeat(Math.min(length, 512)));
    });
  }
  for (const length of [2047, 2048, 2049]) {
    test(`description and label value of ${length} → ${Math.min(length, 2048)}`, () => {
      const event = normaliseStandardEvent(
        { ...base, description: 'é'.repeat(length), labels: { v: emoji.repeat(length) } },
        context,
      );
      assert.equal(codePointLength(event.description ?? ''), Math.min(length, 2048));
      assert.equal(codePointLength(event.labels.v), Math.min(length, 2048));
    });
  }
  test('50 labels accepted, 51 rejected', () => {
    const labels = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    assert.equal(Object.keys(normaliseStandardEvent({ ...base, labels: labels(50) }, context).labels).length, 50);
    rejects({ ...base, labels: labels(51) }, 'labels: at most 50 labels are allowed, got 51');
  });
  test('empty and null label values do not count toward the 50', () => {
    const labels: Record<string, string | null> = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']),
    );
    labels.empty = '';
    labels.nothing = null;
    assert.equal(Object.keys(normaliseStandardEvent({ ...base, labels }, context).labels).length, 50);
  });
  test('label key of 128 accepted, 129 rejected', () => {
    const ok = 'k'.repeat(128);
    assert.ok(normaliseStandardEvent({ ...base, labels: { [ok]: 'v' } }, context).labels[ok]);
    rejects(
      { ...base, labels: { ['k'.repeat(129)]: 'v' } },
      `labels: label key "${'k'.repeat(129)}" is longer than 128 characters`,
    );
  });
  test('alert_key of 255 accepted, 256 rejected', () => {
    assert.equal(normaliseStandardEvent({ ...base, alert_key: 'a'.repeat(255) }, context).alert_key.length, 255);
    rejects({ ...base, alert_key: 'a'.repeat(256) }, 'alert_key: must be at most 255 characters');
  });
  for (const key of ['1abc', 'host.name', 'a-b', 'ünï', '']) {
    test(`invalid label key ${JSON.stringify(key)}`, () =>
      rejects(
        { ...base, labels: { [key]: 'v' } },
        `labels: label key ${JSON.stringify(key)} must match ^[a-zA-Z_][a-zA-Z0-9_]*$`,
      ));
  }
  test('event_status that is not a string', () =>
    rejects(
      { ...base, event_status: 3 },
      /^event_status: must be a string; event_status: must be one of Critical, Warning, Info, Ok/,
    ));
  for (const status of ['critical', 'OK', 'ok', 'Error']) {
    test(`event_status ${JSON.stringify(status)} rejected (case-sensitive)`, () =>
      rejects(
        { ...base, event_status: status },
        `event_status: must be one of Critical, Warning, Info, Ok (case-sensitive), got ${JSON.stringify(status)}`,
      ));
  }
});

describe('absent, aliases and coercions', () => {
  test('"" and null optional fields count as absent', () => {
    const event = normaliseStandardEvent(
      { ...base, alert_key: '', description: null, labels: null, images: '', event_time: null },
      context,
    );
    assert.equal(event.alert_key_derived, true);
    assert.equal(event.description, undefined);
    assert.deepEqual(event.labels, {});
    assert.equal(event.images, undefined);
    assert.equal(event.event_time, context.receivedAt);
  });
  test('title is an alias of title_rule; title_rule wins when both are given', () => {
    assert.equal(normaliseStandardEvent({ title: 'from title', event_status: 'Info' }, context).title, 'from title');
    assert.equal(
      normaliseStandardEvent({ title: 'from title', title_rule: 'from rule', event_status: 'Info' }, context).title,
      'from rule',
    );
  });
  test('adapters may take title literally; title_rule is still rendered', () => {
    const literal = { ...context, titleIsLiteral: true };
    assert.equal(
      normaliseStandardEvent({ title: 'Foo::bar() failed', event_status: 'Info' }, literal).title,
      'Foo::bar() failed',
    );
    assert.equal(
      normaliseStandardEvent({ title_rule: '$host::down', event_status: 'Info', labels: { host: 'h' } }, literal).title,
      'h / down',
    );
    assert.equal(normaliseStandardEvent({ title: 'Foo::bar', event_status: 'Info' }, context).title, 'Foo / bar');
  });
  test('number and boolean label values become strings', () => {
    assert.deepEqual(normaliseStandardEvent({ ...base, labels: { n: 5, b: true } }, context).labels, {
      n: '5',
      b: 'true',
    });
  });
  test('Ok needs alert_key', () =>
    rejects({ title_rule: 'x', event_status: 'Ok' }, 'alert_key: is required when event_status is Ok'));
  test('Ok with alert_key is accepted', () =>
    assert.equal(
      normaliseStandardEvent({ title_rule: 'x', event_status: 'Ok', alert_key: 'k' }, context).event_status,
      'Ok',
    ));
  test('a body that is not an object', () => rejects([1], 'body: must be a JSON object (one standard event)'));
});

describe('images', () => {
  test('alt truncated to 128, href to 256, src over 256 dropped, one image per alt (last wins)', () => {
    const event = normaliseStandardEvent(
      {
        ...base,
        images: [
          { alt: 'a'.repeat(130), src: 'https://x/1.png', href: `https://h/${'h'.repeat(300)}` },
          { alt: 'b', src: `https://x/${'s'.repeat(260)}` },
          { alt: 'c', src: 'https://x/old.png' },
          { alt: 'c', src: 'img_new' },
          { src: 'https://x/no-alt.png' },
        ],
      },
      context,
    );
    assert.deepEqual(event.images, [
      { alt: 'a'.repeat(128), src: 'https://x/1.png', href: `https://h/${'h'.repeat(246)}` },
      { alt: 'c', src: 'img_new' },
      { src: 'https://x/no-alt.png' },
    ]);
  });
});

describe('event_time, overrides and the derived key', () => {
  const cases: Array<[number, number]> = [
    [1_700_000_000, 1_700_000_000_000],
    [1_700_000_000_123, 1_700_000_000_123],
    [1_700_000_000_123_456, 1_700_000_000_123],
    [1_700_000_000_123_456_789, 1_700_000_000_123],
  ];
  for (const [input, expected] of cases)
    test(`event_time ${input} → ${expected} ms`, () => assert.equal(toEpochMillis(input), expected));
  test('numeric string event_time is accepted', () =>
    assert.equal(normaliseStandardEvent({ ...base, event_time: '1700000000' }, context).event_time, 1_700_000_000_000));
  test('severity override replaces non-Ok statuses only', () => {
    assert.equal(normaliseStandardEvent(base, { ...context, severityOverride: 'Info' }).event_status, 'Info');
    assert.equal(
      normaliseStandardEvent(
        { title_rule: 'x', event_status: 'Ok', alert_key: 'k' },
        { ...context, severityOverride: 'Info' },
      ).event_status,
      'Ok',
    );
  });
  test('title_rule override renders with the event title available as {{.Title}}', () => {
    const event = normaliseStandardEvent(
      { title_rule: 'disk full', event_status: 'Warning', labels: { host: 'db1' } },
      { ...context, titleRuleOverride: '[TPL]${host}: {{.Title}}' },
    );
    assert.equal(event.title, 'db1: disk full');
    assert.equal(event.title_rule, '[TPL]${host}: {{.Title}}');
  });
  test('derived key depends on integration, title and labels, not on label order', () => {
    const a = normaliseStandardEvent({ ...base, labels: { x: '1', y: '2' } }, context).alert_key;
    assert.equal(a, normaliseStandardEvent({ ...base, labels: { y: '2', x: '1' } }, context).alert_key);
    assert.notEqual(a, normaliseStandardEvent({ ...base, labels: { x: '1', y: '3' } }, context).alert_key);
    assert.notEqual(
      a,
      normaliseStandardEvent({ ...base, labels: { x: '1', y: '2' } }, { ...context, integrationId: 'int-2' }).alert_key,
    );
    assert.match(a, /^[0-9A-Za-z]{22}$/);
  });
});
