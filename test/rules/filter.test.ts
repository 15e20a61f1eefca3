import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilter, validateFilter, type FilterSubject } from '../../src/rules/filter.js';
import type { FilterCondition, FilterSpec } from '../../src/rules/types.js';
import { ruleProblemLines } from '../support/rule-problems.js';

const subject: FilterSubject = {
  title: 'Disk 91% full on db-1',
  description: 'big outage in eu-west',
  severity: 'Critical',
  integration_id: 'prom-main',
  labels: {
    host: 'db-1',
    ip: '10.0.0.5',
    ip6: '2001:db8::5',
    mapped: '::ffff:10.0.0.9',
    instance: '10.0.0.7:9100',
    instance6: '[2001:db8::7]:9100',
    cpu: '91.5',
    load: '91%',
    env: 'prod',
    empty: '',
    text: 'abc',
    star: 'a*b',
  },
};
const noDescription: FilterSubject = { ...subject, description: undefined };

const when = (key: string, op: 'IN' | 'NOTIN', ...values: string[]): FilterCondition => ({ key, op, values });

const cases: Array<[string, FilterSpec, boolean, FilterSubject?]> = [
  // exact
  ['exact title', [when('title', 'IN', 'Disk 91% full on db-1')], true],
  ['exact is case-sensitive', [when('title', 'IN', 'disk 91% full on db-1')], false],
  ['exact severity', [when('severity', 'IN', 'Warning', 'Critical')], true],
  ['integration key', [when('integration', 'IN', 'prom-main')], true],
  ['exact label', [when('labels.env', 'IN', 'prod')], true],
  ['exact empty value matches an empty label', [when('labels.empty', 'IN', '')], true],
  ['exact empty value does not match a missing label', [when('labels.nope', 'IN', '')], false],
  // regex
  ['regex matches anywhere', [when('description', 'IN', '/outage/')], true],
  ['regex anchored', [when('description', 'IN', '/^outage/')], false],
  ['regex (?i) flag', [when('description', 'IN', '/(?i)OUTAGE/')], true],
  ['regex redundant .* trimmed', [when('description', 'IN', '/.*outage.*/')], true],
  ['regex on label', [when('labels.host', 'IN', '/^db-\\d$/')], true],
  ['regex on missing field', [when('description', 'IN', '/.?/')], false, noDescription],
  [
    'regex only sees the first 4096 characters',
    [when('title', 'IN', '/outage/')],
    false,
    { ...subject, title: `${'x'.repeat(4096)}outage` },
  ],
  // wildcard
  ['wildcard * suffix', [when('labels.host', 'IN', 'db-*')], true],
  ['wildcard ? one character', [when('labels.host', 'IN', 'db-?')], true],
  ['wildcard ? needs exactly one', [when('labels.host', 'IN', 'db-??')], false],
  ['wildcard anchored at start', [when('labels.host', 'IN', 'b-*')], false],
  ['wildcard anchored at end', [when('labels.host', 'IN', 'db')], false],
  ['wildcard * prefix', [when('title', 'IN', '*db-1')], true],
  ['wildcard several stars', [when('title', 'IN', 'Disk*full*db-?')], true],
  ['wildcard star matches a literal star', [when('labels.star', 'IN', 'a*b')], true],
  ['IN * = present', [when('labels.env', 'IN', '*')], true],
  ['IN * = present, also when empty', [when('labels.empty', 'IN', '*')], true],
  ['IN * on a missing label', [when('labels.nope', 'IN', '*')], false],
  ['NOTIN * = absent', [when('labels.nope', 'NOTIN', '*')], true],
  ['NOTIN * on a present label', [when('labels.env', 'NOTIN', '*')], false],
  ['IN * on a missing description', [when('description', 'IN', '*')], false, noDescription],
  ['labels are own properties only', [when('labels.constructor', 'IN', '*')], false],
  // cidr
  ['cidr v4 inside', [when('labels.ip', 'IN', 'cidr:10.0.0.0/24')], true],
  ['cidr v4 outside', [when('labels.ip', 'IN', 'cidr:10.0.1.0/24')], false],
  ['cidr v4 single address without prefix', [when('labels.ip', 'IN', 'cidr:10.0.0.5')], true],
  ['cidr v4 /0', [when('labels.ip', 'IN', 'cidr:0.0.0.0/0')], true],
  ['cidr v4 host:port value', [when('labels.instance', 'IN', 'cidr:10.0.0.0/29')], true],
  ['cidr v4 matches an IPv4-mapped v6 value', [when('labels.mapped', 'IN', 'cidr:10.0.0.0/24')], true],
  ['cidr v6 inside', [when('labels.ip6', 'IN', 'cidr:2001:db8::/32')], true],
  ['cidr v6 outside', [when('labels.ip6', 'IN', 'cidr:2001:db9::/32')], false],
  ['cidr v6 [addr]:port value', [when('labels.instance6', 'IN', 'cidr:2001:db8::/64')], true],
  ['cidr v6 network, v4 value', [when('labels.ip', 'IN', 'cidr:2001:db8::/32')], false],
  ['cidr v6 /0 holds every v6 address', [when('labels.ip6', 'IN', 'cidr:::/0')], true],
  ['cidr v6 single address', [when('labels.ip6', 'IN', 'cidr:2001:db8:0:0::5')], true],
  ['cidr v4-mapped v6 network matches a v4 value', [when('labels.ip', 'IN', 'cidr:::ffff:10.0.0.0/120')], true],
  ['cidr v4 /32 boundary', [when('labels.ip', 'IN', 'cidr:10.0.0.4/31')], true],
  ['cidr v4 /31 outside', [when('labels.ip', 'IN', 'cidr:10.0.0.6/31')], false],
  [
    'cidr v6 zone id ignored',
    [when('labels.ip6', 'IN', 'cidr:2001:db8::/48')],
    true,
    { ...subject, labels: { ip6: '2001:db8::5%eth0' } },
  ],
  [
    'cidr link-local with zone',
    [when('labels.ip6', 'IN', 'cidr:fe80::/10')],
    true,
    { ...subject, labels: { ip6: 'fe80::1%eth0' } },
  ],
  ['cidr on a non-address value', [when('labels.text', 'IN', 'cidr:10.0.0.0/8')], false],
  ['NOTIN cidr on a non-address value', [when('labels.text', 'NOTIN', 'cidr:10.0.0.0/8')], true],
  // num
  ['num gt', [when('labels.cpu', 'IN', 'num:gt:90')], true],
  ['num gt equal is false', [when('labels.cpu', 'IN', 'num:gt:91.5')], false],
  ['num ge equal', [when('labels.cpu', 'IN', 'num:ge:91.5')], true],
  ['num lt', [when('labels.cpu', 'IN', 'num:lt:91.5')], false],
  ['num le', [when('labels.cpu', 'IN', 'num:le:91.5')], true],
  ['num negative limit', [when('labels.cpu', 'IN', 'num:gt:-1')], true],
  ['num on a non-numeric value', [when('labels.text', 'IN', 'num:gt:0')], false],
  ['num on 91% (not strictly a number)', [when('labels.load', 'IN', 'num:gt:0')], false],
  ['num on an empty value', [when('labels.empty', 'IN', 'num:lt:1')], false],
  ['NOTIN num on a non-numeric value', [when('labels.text', 'NOTIN', 'num:gt:0')], true],
  ['num on a missing label', [when('labels.nope', 'IN', 'num:gt:0')], false],
  // NOTIN
  ['NOTIN none matches', [when('labels.env', 'NOTIN', 'staging', 'dev')], true],
  ['NOTIN one matches', [when('labels.env', 'NOTIN', 'staging', 'prod')], false],
  ['NOTIN with a missing label', [when('labels.nope', 'NOTIN', 'x')], true],
  ['NOTIN regex', [when('title', 'NOTIN', '/disk/')], true],
  // AND / OR
  ['AND: all match', [when('severity', 'IN', 'Critical'), when('labels.env', 'IN', 'prod')], true],
  ['AND: one fails', [when('severity', 'IN', 'Critical'), when('labels.env', 'IN', 'dev')], false],
  ['OR: second group matches', [[when('labels.env', 'IN', 'dev')], [when('labels.host', 'IN', 'db-*')]], true],
  ['OR: no group matches', [[when('labels.env', 'IN', 'dev')], [when('severity', 'IN', 'Info')]], false],
  ['empty filter matches everything', [], true],
];

for (const [name, spec, expected, over] of cases) {
  test(`filter: ${name}`, () => assert.equal(compileFilter(spec)(over ?? subject), expected));
}

const problems: Array<[string, FilterSpec, string]> = [
  [
    'the issue example path',
    [[when('title', 'IN', 'x')], [when('title', 'IN', 'a'), when('title', 'IN', '/(a+)+/')]],
    'channels[0].silences[2].if[1][1].values[0]: invalid regex /(a+)+/: nested quantifier',
  ],
  [
    'unknown key',
    [when('host', 'IN', 'x')],
    'channels[0].silences[2].if[0].key: unknown key "host" (title, description, severity, integration, labels.<name>)',
  ],
  [
    'bad operator',
    [{ key: 'title', op: 'EQ' as 'IN', values: ['x'] }],
    'channels[0].silences[2].if[0].op: must be one of IN, NOTIN',
  ],
  ['no values', [when('title', 'IN')], 'channels[0].silences[2].if[0].values: must be a non-empty list'],
  [
    'bad regex syntax',
    [when('title', 'IN', '/(a/')],
    'channels[0].silences[2].if[0].values[0]: invalid regex /(a/: missing )',
  ],
  [
    'catastrophic regex',
    [when('title', 'IN', 'x', '/(a|a)*/')],
    'channels[0].silences[2].if[0].values[1]: invalid regex /(a|a)*/: alternatives that can match the same text under a repeat, e.g. (a|a)*; use a character class',
  ],
  [
    'cubic regex',
    [when('title', 'IN', '/a.*b.*c/')],
    'channels[0].silences[2].if[0].values[0]: invalid regex /a.*b.*c/: too many unbounded quantifiers (*, +, {n,}): one, or two after a leading ^; bound the others, e.g. \\d{1,20}',
  ],
  [
    'cidr v4 prefix too long',
    [when('labels.ip', 'IN', 'cidr:10.0.0.0/33')],
    'channels[0].silences[2].if[0].values[0]: invalid cidr "cidr:10.0.0.0/33": prefix length must be 0..32',
  ],
  [
    'cidr v6 prefix too long',
    [when('labels.ip', 'IN', 'cidr:::1/129')],
    'channels[0].silences[2].if[0].values[0]: invalid cidr "cidr:::1/129": prefix length must be 0..128',
  ],
  [
    'cidr not an address',
    [when('labels.ip', 'IN', 'cidr:10.0.0/8')],
    'channels[0].silences[2].if[0].values[0]: invalid cidr "cidr:10.0.0/8": expected cidr:<IPv4 or IPv6 address>[/<prefix length>]',
  ],
  [
    'cidr with a port',
    [when('labels.ip', 'IN', 'cidr:10.0.0.1:80/8')],
    'channels[0].silences[2].if[0].values[0]: invalid cidr "cidr:10.0.0.1:80/8": expected cidr:<IPv4 or IPv6 address>[/<prefix length>]',
  ],
  [
    'cidr prefix not a number',
    [when('labels.ip', 'IN', 'cidr:10.0.0.0/x')],
    'channels[0].silences[2].if[0].values[0]: invalid cidr "cidr:10.0.0.0/x": prefix length must be 0..32',
  ],
  [
    'num not a number',
    [when('labels.cpu', 'IN', 'num:gt:abc')],
    'channels[0].silences[2].if[0].values[0]: invalid number comparison "num:gt:abc": "abc" is not a number',
  ],
  [
    'num unknown comparison',
    [when('labels.cpu', 'IN', 'num:eq:1')],
    'channels[0].silences[2].if[0].values[0]: invalid number comparison "num:eq:1": expected num:gt|ge|lt|le:<number>',
  ],
  [
    'mixed forms',
    [[when('title', 'IN', 'x')], when('title', 'IN', 'y')] as unknown as FilterSpec,
    'channels[0].silences[2].if: must be a list of conditions, or of condition groups [[...], [...]] for OR; not both',
  ],
  ['empty group', [[when('title', 'IN', 'x')], []], 'channels[0].silences[2].if[1]: empty condition group'],
  [
    'a lower-case severity',
    [when('severity', 'IN', 'info')],
    'channels[0].silences[2].if[0].values[0]: severity "info" never matches: severities are Critical, Warning, Info, Ok (case-sensitive); did you mean "Info"?',
  ],
  [
    'an abbreviated severity',
    [when('severity', 'NOTIN', 'warn')],
    'channels[0].silences[2].if[0].values[0]: severity "warn" never matches: severities are Critical, Warning, Info, Ok (case-sensitive); did you mean "Warning"?',
  ],
  [
    'a severity that is none',
    [when('severity', 'IN', 'P1')],
    'channels[0].silences[2].if[0].values[0]: severity "P1" never matches: severities are Critical, Warning, Info, Ok (case-sensitive)',
  ],
];

// Checked as in alertgate.yaml: the shape by the schema's `filter`, then the values by validateFilter.
for (const [name, spec, message] of problems) {
  test(`filter problems: ${name}`, () =>
    assert.deepEqual(ruleProblemLines('filter', spec, 'channels[0].silences[2].if', validateFilter), [message]));
}

test('filter problems: a valid filter has none', () => {
  assert.deepEqual(
    ruleProblemLines(
      'filter',
      [
        [when('labels.ip', 'IN', 'cidr:10.0.0.0/8', '/x/', 'a*', 'num:ge:1')],
        [when('severity', 'NOTIN', 'Info', 'Ok', '/^crit/', 'W*')],
      ],
      'if',
      validateFilter,
    ),
    [],
  );
});

test('a filter is checked for its shape, then for its values; a filter that skipped its check never runs', () => {
  assert.deepEqual(ruleProblemLines('filter', [when('nope', 'IN', '/(a+)+/')], 'drop[0].if', validateFilter), [
    'drop[0].if[0].key: unknown key "nope" (title, description, severity, integration, labels.<name>)',
  ]);
  assert.deepEqual(ruleProblemLines('filter', [when('title', 'IN', '/(a+)+/')], 'drop[0].if', validateFilter), [
    'drop[0].if[0].values[0]: invalid regex /(a+)+/: nested quantifier',
  ]);
  assert.throws(() => compileFilter([when('title', 'IN', '/(a+)+/')]), /nested quantifier/);
});
