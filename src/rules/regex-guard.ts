/**
 * The `/regex/` guard. Patterns use RE2 syntax (what Flashduty users write) and run on the JS engine, which
 * backtracks; so a pattern is parsed first and refused when its backtracking could blow up (see `regexRisk`).
 * Backreferences and lookarounds are refused too: RE2 has neither, so configs stay portable to a linear engine.
 */

/** Longest accepted pattern, in characters. */
export const maxPatternLength = 256;
/** Matching looks at the first 4096 characters of a value only. */
export const regexInputLimit = 4096;
/** A `{n,m}` repeat with m above this counts as unbounded: its backtracking grows with the input too. */
const boundedRepeatLimit = 32;
/** Upper bound on the product of the choices of optional repeats (`a?`, `\d{1,3}`…): 2^12. */
const optionalChoiceBudget = 4096;

interface Quantifier {
  min: number;
  max: number;
}
interface Atom {
  kind: 'atom';
  text: string;
  broad: boolean;
  quantifier?: Quantifier;
}
interface Group {
  kind: 'group';
  alternatives: RegexNode[][];
  quantifier?: Quantifier;
}
type RegexNode = Atom | Group;

/** A pattern ready to run, or why it was refused. */
export type SafeRegexResult = { regex: RegExp } | { error: string };

class PatternError extends Error {}

const broadEscapes = new Set(['\\w', '\\W', '\\D', '\\S', '\\s', '\\p', '\\P']);

/** Parses the minimal structure the guard needs; JS RegExp does the full syntax check afterwards. */
class Parser {
  position = 0;
  constructor(readonly source: string) {}

  parseAlternatives(): RegexNode[][] {
    const alternatives: RegexNode[][] = [[]];
    while (this.position < this.source.length) {
      const char = this.source[this.position];
      if (char === ')') break;
      if (char === '|') {
        this.position += 1;
        alternatives.push([]);
        continue;
      }
      const node = this.parseNode();
      const quantifier = this.parseQuantifier();
      if (quantifier) node.quantifier = quantifier;
      alternatives[alternatives.length - 1].push(node);
    }
    return alternatives;
  }

  private parseNode(): RegexNode {
    const char = this.source[this.position];
    if (char === '(') return this.parseGroup();
    if (char === '[') return this.parseClass();
    if (char === '\\') return this.parseEscape();
    this.position += 1;
    return { kind: 'atom', text: char, broad: char === '.' };
  }

  private parseGroup(): Group {
    const rest = this.source.slice(this.position);
    if (/^\(\?(=|!|<=|<!)/.test(rest)) throw new PatternError('lookaround is not supported (RE2 syntax)');
    const opening = /^\((\?:|\?P?<[A-Za-z_][A-Za-z0-9_]*>)?/.exec(rest)?.[0] ?? '(';
    if (opening === '(' && rest.startsWith('(?'))
      throw new PatternError('inline flags are only supported at the start, as (?i)');
    this.position += opening.length;
    const alternatives = this.parseAlternatives();
    if (this.source[this.position] !== ')') throw new PatternError('missing )');
    this.position += 1;
    return { kind: 'group', alternatives };
  }

  private parseClass(): Atom {
    let end = this.position + 1;
    if (this.source[end] === '^') end += 1;
    if (this.source[end] === ']') end += 1;
    while (end < this.source.length && this.source[end] !== ']') end += this.source[end] === '\\' ? 2 : 1;
    if (end >= this.source.length) throw new PatternError('missing ]');
    const text = this.source.slice(this.position, end + 1);
    this.position = end + 1;
    return { kind: 'atom', text, broad: text.startsWith('[^') };
  }

  private parseEscape(): Atom {
    const text = this.source.slice(this.position, this.position + 2);
    if (/^\\[1-9]$/.test(text) || text === '\\k')
      throw new PatternError('backreferences are not supported (RE2 syntax)');
    this.position += 2;
    return { kind: 'atom', text, broad: broadEscapes.has(text) };
  }

  private parseQuantifier(): Quantifier | undefined {
    const match = /^(?:([*+?])|\{(\d+)(,(\d*))?\})\??/.exec(this.source.slice(this.position));
    if (!match) return undefined;
    this.position += match[0].length;
    if (match[1] === '*') return { min: 0, max: Infinity };
    if (match[1] === '+') return { min: 1, max: Infinity };
    if (match[1] === '?') return { min: 0, max: 1 };
    const min = Number(match[2]);
    const max = match[3] === undefined ? min : match[4] === '' ? Infinity : Number(match[4]);
    return { min, max };
  }
}

const isUnbounded = (quantifier: Quantifier | undefined): boolean =>
  quantifier !== undefined && quantifier.max > boundedRepeatLimit;
const children = (node: RegexNode): RegexNode[] => (node.kind === 'group' ? node.alternatives.flat() : []);

function someQuantifierInside(nodes: RegexNode[], test: (quantifier: Quantifier) => boolean): boolean {
  return nodes.some(
    (node) => (node.quantifier !== undefined && test(node.quantifier)) || someQuantifierInside(children(node), test),
  );
}

/** First atom an alternative must start with, as text; undefined when it may start with anything. */
function firstAtom(alternative: RegexNode[]): Atom | undefined {
  const first = alternative[0];
  if (!first) return undefined;
  return first.kind === 'atom' ? first : undefined;
}

function alternativesMayOverlap(group: Group): boolean {
  const seen = new Set<string>();
  for (const alternative of group.alternatives) {
    const atom = firstAtom(alternative);
    if (!atom || atom.broad || atom.text.startsWith('[') || seen.has(atom.text)) return true;
    seen.add(atom.text);
  }
  return false;
}

/**
 * Refuses the shapes that make a backtracking engine slow: see the messages. `underRepeat`: an enclosing group
 * repeats without bound, so overlapping alternatives anywhere inside it (also `((a|a))*`) multiply the paths.
 */
function checkNodes(nodes: RegexNode[], underRepeat = false): void {
  for (const node of nodes) {
    if (node.kind !== 'group') continue;
    const inner = node.alternatives.flat();
    const unbounded = isUnbounded(node.quantifier);
    const repeated = node.quantifier !== undefined && node.quantifier.max >= 2;
    if (unbounded && someQuantifierInside(inner, () => true)) throw new PatternError('nested quantifier');
    if (repeated && someQuantifierInside(inner, (quantifier) => quantifier.max > boundedRepeatLimit))
      throw new PatternError('nested quantifier');
    if ((unbounded || underRepeat) && node.alternatives.length > 1 && alternativesMayOverlap(node)) {
      throw new PatternError(
        'alternatives that can match the same text under a repeat, e.g. (a|a)*; use a character class',
      );
    }
    checkNodes(inner, unbounded || underRepeat);
  }
}

function countQuantifiers(nodes: RegexNode[]): { unbounded: number; optionalChoices: number } {
  let unbounded = 0;
  let optionalChoices = 1;
  for (const node of nodes) {
    if (isUnbounded(node.quantifier)) unbounded += 1;
    else if (node.quantifier) optionalChoices *= node.quantifier.max - node.quantifier.min + 1;
    const inner = countQuantifiers(children(node));
    unbounded += inner.unbounded;
    optionalChoices *= inner.optionalChoices;
  }
  return { unbounded, optionalChoices };
}

/** `.*` at either end of a contains-match changes nothing but the cost (`.*a.*b.*` runs cubic), so it goes. */
function trimRedundantDotStar(source: string): string {
  let trimmed = source.replace(/^(?:\.\*\??)+/, '');
  for (let match = /\.\*\??$/.exec(trimmed); match; match = /\.\*\??$/.exec(trimmed)) {
    const before = trimmed.slice(0, match.index);
    // An odd run of backslashes escapes the dot: `\.*` is a repeated literal dot, not "anything".
    if ((/\\*$/.exec(before)?.[0].length ?? 0) % 2 === 1) break;
    trimmed = before;
  }
  return trimmed;
}

/**
 * Why a pattern could backtrack badly on a 4096-character value, or undefined when it cannot: a quantifier
 * inside a repeated group (`(a+)+`), alternatives that overlap under a repeat (`(a|a)*`), more than one unbounded
 * quantifier (`a.*b.*c` is cubic: seconds on 4 KB; two are fine after a leading `^`), or too many optional repeats
 * (`a?a?a?…`). What it lets through is at worst quadratic: tens of milliseconds on a 4096-character value.
 */
function regexRisk(alternatives: RegexNode[][], multiline: boolean): string | undefined {
  try {
    checkNodes([{ kind: 'group', alternatives }]);
  } catch (error) {
    return (error as Error).message;
  }
  const counts = countQuantifiers(alternatives.flat());
  // An unanchored search retries at every position, one more factor of n; a leading ^ removes it.
  const anchored =
    !multiline && alternatives.length === 1 && alternatives[0][0]?.kind === 'atom' && alternatives[0][0].text === '^';
  if (counts.unbounded > (anchored ? 2 : 1))
    return 'too many unbounded quantifiers (*, +, {n,}): one, or two after a leading ^; bound the others, e.g. \\d{1,20}';
  if (counts.optionalChoices > optionalChoiceBudget) return 'too many optional repeats';
  return undefined;
}

/** Splits RE2's leading `(?i)` / `(?s)` / `(?m)` off into JS flags and rewrites `(?P<name>` to `(?<name>`. */
function toJavaScript(pattern: string): { source: string; flags: string } {
  const inline = /^\(\?([ims]+)\)/.exec(pattern);
  const flags = inline ? [...new Set(inline[1])].join('') : '';
  const source = (inline ? pattern.slice(inline[0].length) : pattern).replace(/\(\?P</g, '(?<');
  return { source, flags: /\\[pP]/.test(source) ? `${flags}u` : flags };
}

/**
 * Compiles an RE2-syntax pattern to a JS RegExp when it is safe to run on untrusted values (≤ 256 characters,
 * no catastrophic shape, see `regexRisk`); `forTest` drops redundant leading/trailing `.*` (contains-semantics).
 */
export function compileSafeRegex(pattern: string, forTest = false): SafeRegexResult {
  if (pattern.length > maxPatternLength) return { error: `pattern longer than ${maxPatternLength} characters` };
  const translated = toJavaScript(pattern);
  const source = forTest ? trimRedundantDotStar(translated.source) : translated.source;
  try {
    const parser = new Parser(source);
    const alternatives = parser.parseAlternatives();
    if (parser.position < source.length) return { error: 'unmatched )' };
    const risk = regexRisk(alternatives, translated.flags.includes('m'));
    if (risk) return { error: risk };
  } catch (error) {
    return { error: (error as Error).message };
  }
  try {
    return { regex: new RegExp(source, translated.flags) };
  } catch (error) {
    return { error: (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') };
  }
}

/** The part of a value a regex looks at. */
export const regexInput = (value: string): string =>
  value.length > regexInputLimit ? value.slice(0, regexInputLimit) : value;
