import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertJsonDepth,
  bytesNestDeeperThan,
  defaultMaxJsonDepth,
  nestsDeeperThan,
  readMaxJsonDepth,
} from '../src/json-depth.js';
import { AppError } from '../src/errors.js';

describe('JSON nesting depth', () => {
  const cases: Array<[string, string, number, boolean]> = [
    ['flat object', '{"a": 1, "b": [1, 2]}', 2, false],
    ['one level too many', '{"a": [[1]]}', 2, true],
    ['siblings do not add up', '[[1], [2], {"a": 3}]', 2, false],
    ['brackets inside strings do not count', '{"a": "[[[[{{{{"}', 1, false],
    ['an escaped quote does not end the string', '{"a": "\\"[[[["}', 1, false],
    ['an escaped backslash before the closing quote', '["\\\\", [[1]]]', 2, true],
    ['not JSON at all: counted all the same', '[[[', 2, true],
  ];
  for (const [name, text, max, expected] of cases) {
    test(name, () => {
      assert.equal(nestsDeeperThan(text, max), expected);
      assert.equal(bytesNestDeeperThan(Buffer.from(text), max), expected);
    });
  }

  test('a Buffer counts as its UTF-8 text, multi-byte characters included', () => {
    const text = `{"a": "é[ü{€", "b": ${'['.repeat(defaultMaxJsonDepth - 1)}${']'.repeat(defaultMaxJsonDepth - 1)}}`;
    assert.doesNotThrow(() => assertJsonDepth(Buffer.from(text), 'body'));
    assert.throws(
      () => assertJsonDepth(Buffer.from(`[${text}]`), 'body'),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'InvalidParameter' &&
        error.message === `body: JSON nesting deeper than ${defaultMaxJsonDepth} levels`,
    );
  });

  test('JSON_MAX_DEPTH: default 128, a positive integer, anything else refused by name', () => {
    assert.equal(readMaxJsonDepth({}), 128);
    assert.equal(readMaxJsonDepth({ JSON_MAX_DEPTH: '32' }), 32);
    for (const bad of ['0', '-1', '2.5', 'deep'])
      assert.throws(
        () => readMaxJsonDepth({ JSON_MAX_DEPTH: bad }),
        /^Error: JSON_MAX_DEPTH must be a positive integer/,
      );
  });
});
