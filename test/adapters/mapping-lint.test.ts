import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fixtureMappingInputs, fixtureMappingLimits, loadFixtures } from '../../src/adapters/fixtures.js';
import { lintMapping } from '../../src/adapters/mapping-lint.js';
import { AdapterRegistry } from '../../src/adapters/registry.js';

const firing = { body: { status: 'firing', alerts: [{ labels: { alertname: 'A', severity: 'critical' } }] } };

describe('lintMapping: mistakes a mapping compiles with', () => {
  test('a path from the input that no fixture has, with its position', () => {
    const source = '{\n  "title": body.alerts.labels.alertname,\n  "event_status": body.alerts.lables.severity\n}';
    assert.deepEqual(lintMapping(source, [firing]), [
      {
        line: 3,
        column: 19,
        message:
          'body.alerts.lables.severity matches nothing in any fixture: a misspelt field, or a case without a fixture',
      },
    ]);
  });

  test('a path is fine when any fixture has it, inside arrays too; filters do not hide it', () => {
    const other = { body: { status: 'resolved', alerts: [{ labels: { alertname: 'B', instance: 'h1' } }] } };
    assert.deepEqual(lintMapping('body.alerts[0].labels.instance', [firing, other]), []);
    assert.deepEqual(lintMapping('body.alerts[0].labels.instance', [firing]).length, 1);
    assert.deepEqual(lintMapping('body.nothing', []), [], 'no fixture: nothing to read paths against');
  });

  test('= where := was meant', () => {
    const source = '(\n  $sev = body.severity;\n  { "title": "t", "event_status": $sev }\n)';
    const [warning] = lintMapping(source, [{ body: { severity: 'x' } }]);
    assert.equal(warning.line, 2);
    assert.match(warning.message, /^\$sev = … compares and throws the result away: did you mean :=/);
  });

  test('an unbound variable (a misspelt table) and an unknown function, with positions', () => {
    const source =
      '(\n  $severities := {"high": "Critical"};\n  $mapSeverity(body.level, $sevrities) & $lowercse(body.level)\n)';
    const warnings = lintMapping(source, [{ body: { level: 'high' } }]);
    assert.deepEqual(
      warnings.map((w) => [w.line, w.message]),
      [
        [3, '$sevrities is never bound: it evaluates to nothing (a typo?)'],
        [3, '$lowercse() is not a function this mapping defines or can call'],
      ],
    );
  });

  test('bound names are not reported: lambdas, focus and index variables, bindings, shared and built-in functions', () => {
    const source = `(
  $f := function($x) { $x.name };
  $t := body.items@$i#$n.{ "n": $n, "v": $f($i) };
  { "title": $string($receivedAt) & $integration.id, "labels": $collectLabels([$t]), "event_status": $mapSeverity($$.body.s, {}) }
)`;
    assert.deepEqual(lintMapping(source, [{ body: { items: [{ name: 'a' }], s: 'x' } }]), []);
  });
});

describe('every shipped adapter reads clean against its own fixtures', () => {
  const registry = AdapterRegistry.load({ limits: fixtureMappingLimits });
  for (const adapter of registry.list()) {
    test(adapter.name, async () => {
      const inputs = await fixtureMappingInputs(adapter, loadFixtures(adapter.name, adapter.dir));
      assert.deepEqual(lintMapping(adapter.mapping.source, inputs), []);
    });
  }
});
