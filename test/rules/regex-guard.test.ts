import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSafeRegex } from '../../src/rules/regex-guard.js';

const accepted: Array<[string, string, boolean]> = [
  // pattern, a value, whether it matches
  ['outage', 'big outage', true],
  ['(a|b)*c', 'abac', true],
  ['(ab|cd)+', 'xcdab', true],
  ['(x(?:a|b))+', 'xb', true],
  ['(a|a)', 'a', true],
  ['(\\d{1,3}\\.){3}\\d{1,3}', 'ip 10.0.0.1', true],
  ['(x+)?y', 'xxy', true],
  ['^[a-z]+-\\d+$', 'db-12', true],
  ['(?i)OUTAGE', 'Outage', true],
  ['(?P<result>\\d+)ms', 'took 250ms', true],
  ['\\p{L}+', 'é', true],
  ['\\.*', 'anything', true],
  ['a\\.*$', 'a..', true],
];
for (const [pattern, value, matches] of accepted) {
  test(`regex guard accepts /${pattern}/`, () => {
    const compiled = compileSafeRegex(pattern, true);
    assert.ok('regex' in compiled, 'error' in compiled ? compiled.error : '');
    assert.equal(compiled.regex.test(value), matches);
  });
}

const refused: Array<[string, string]> = [
  ['(a+)+', 'nested quantifier'],
  ['(a*)*', 'nested quantifier'],
  ['(a+)*$', 'nested quantifier'],
  ['(?:x+y)+', 'nested quantifier'],
  ['(x+){2}', 'nested quantifier'],
  ['(a{1,40}){1,5}', 'nested quantifier'],
  ['(a|a)*', 'alternatives that can match the same text under a repeat'],
  ['(\\w|\\d)+', 'alternatives that can match the same text under a repeat'],
  ['(.|x)*', 'alternatives that can match the same text under a repeat'],
  ['(a|)*', 'alternatives that can match the same text under a repeat'],
  ['((a|a))*', 'alternatives that can match the same text under a repeat'],
  ['(x(?:a|ab))+', 'alternatives that can match the same text under a repeat'],
  ['a+a+b', 'too many unbounded quantifiers'],
  ['.*a.*b.*c', 'too many unbounded quantifiers'],
  ['\\d+\\s*\\d+x', 'too many unbounded quantifiers'],
  ['x{2,}y{0,100}', 'too many unbounded quantifiers'],
  ['^a+b+c+d', 'too many unbounded quantifiers'],
  ['(?m)^a+b+', 'too many unbounded quantifiers'],
  ['a?a?a?a?a?a?a?a?a?a?a?a?a?', 'too many optional repeats'],
  ['(a)\\1', 'backreferences are not supported'],
  ['(?<n>a)\\k<n>', 'backreferences are not supported'],
  ['(?=a)', 'lookaround is not supported'],
  ['(?<!a)b', 'lookaround is not supported'],
  ['(?i:a)', 'inline flags are only supported at the start'],
  ['(a', 'missing )'],
  ['a)', 'unmatched )'],
  ['[ab', 'missing ]'],
  ['a**', 'Nothing to repeat'],
  ['x'.repeat(257), 'pattern longer than 256 characters'],
];
for (const [pattern, reason] of refused) {
  test(`regex guard refuses /${pattern.slice(0, 40)}/: ${reason}`, () => {
    const compiled = compileSafeRegex(pattern, true);
    assert.ok('error' in compiled, `accepted ${pattern}`);
    assert.match(compiled.error, new RegExp(reason.replace(/[()*+?.[\]\\]/g, '\\$&')));
  });
}

// Adversarial inputs for the worst shapes the guard lets through: each stays far below a second on 4 KB.
const worstAllowed: Array<[string, string]> = [
  ['(a|b)*c', 'ab'.repeat(2048)],
  ['a.*b', 'a'.repeat(4096)],
  ['\\d+x', '1'.repeat(4096)],
  ['(\\d{1,3}\\.){3}\\d{1,3}z', '1.'.repeat(2048)],
  ['.*a.*b', 'a'.repeat(4096)],
  ['^a.*a.*b', 'a'.repeat(4096)],
];
for (const [pattern, input] of worstAllowed) {
  test(`regex guard: /${pattern}/ on an adversarial 4 KB value finishes quickly`, () => {
    const compiled = compileSafeRegex(pattern, true);
    assert.ok('regex' in compiled);
    const started = performance.now();
    compiled.regex.test(input);
    assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
  });
}

test('regex guard keeps a leading .* when not testing (extraction needs the whole match)', () => {
  const compiled = compileSafeRegex('.*a.*', false);
  assert.ok('error' in compiled);
});

// Property check with a fixed seed: random patterns over overlapping atoms; whatever the guard accepts must stay
// fast on adversarial 4 KB values (the refused ones include the exponential and cubic shapes).
test('regex guard: every accepted random pattern runs fast on adversarial values', () => {
  let seed = 42;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const atoms = ['a', 'b', '.', '\\w', '\\d', '[ab]', '[^b]', 'x'];
  const quantifiers = ['', '', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?'];
  const generate = (depth: number): string =>
    Array.from({ length: 1 + random(4) }, () => {
      const piece =
        random(4) === 0 && depth < 3
          ? `(${generate(depth + 1)}${random(3) === 0 ? `|${generate(depth + 1)}` : ''})`
          : atoms[random(atoms.length)];
      return piece + quantifiers[random(quantifiers.length)];
    }).join('');
  const inputs = ['a'.repeat(4096), 'ab'.repeat(2048), `${'a'.repeat(4095)}!`, '1'.repeat(4096)];
  let accepted = 0;
  for (let index = 0; index < 400; index += 1) {
    const pattern = `${random(5) === 0 ? '^' : ''}${generate(0)}${random(3) === 0 ? '$' : 'c'}`;
    const compiled = compileSafeRegex(pattern, true);
    if ('error' in compiled) continue;
    accepted += 1;
    for (const input of inputs) {
      const started = performance.now();
      compiled.regex.test(input);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 1000, `/${pattern}/ took ${elapsed.toFixed(0)} ms`);
    }
  }
  assert.ok(accepted > 20, `only ${accepted} patterns accepted`);
});
