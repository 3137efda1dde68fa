/**
 * A parser for the `matches` dialect: JavaScript RegExp syntax with the `u` flag, minus the
 * constructs that are not regular (backreferences, lookaround) and minus quantified groups that
 * contain a quantifier. The parser assumes the pattern already compiled with `new RegExp(p, 'u')`,
 * so it only has to recognise valid syntax, never to report every syntax error precisely.
 */

/**
 * One code point test: a literal code point, or a set given by its RegExp source (`.`, `\d`,
 * `[a-z]`, `\p{L}` …) whose exact meaning is delegated to the JavaScript engine.
 *
 * @example
 * const literal: RegexCharTest = { kind: 'codePoint', codePoint: 0x61 };
 * const digits: RegexCharTest = { kind: 'set', source: '\\d' };
 */
export type RegexCharTest = { kind: 'codePoint'; codePoint: number } | { kind: 'set'; source: string };

/**
 * The syntax tree of a validated pattern.
 *
 * @example
 * const node: RegexNode = { type: 'repeat', min: 0, max: Infinity, body: { type: 'char', test: { kind: 'set', source: '.' } } };
 */
export type RegexNode =
  | { type: 'char'; test: RegexCharTest }
  | { type: 'assert'; kind: 'start' | 'end' | 'wordBoundary' | 'notWordBoundary' }
  | { type: 'sequence'; items: RegexNode[] }
  | { type: 'alternation'; options: RegexNode[] }
  | { type: 'group'; body: RegexNode }
  | { type: 'repeat'; body: RegexNode; min: number; max: number };

/** Thrown inside the parser only; `parseRegexPattern` turns it into a problem string. */
class RegexSyntaxProblem extends Error {}

const CONTROL_ESCAPES: Record<string, number> = { f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };
const SET_ESCAPES = new Set(['d', 'D', 's', 'S', 'w', 'W']);
/** Counted repetition bounds above this are clamped; the program-size limit rejects them anyway. */
const COUNT_CLAMP = 100_000;

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parse(): RegexNode {
    const node = this.disjunction();
    if (this.pos < this.src.length) throw new RegexSyntaxProblem(`unexpected "${this.peek()}"`);
    return node;
  }

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  private disjunction(): RegexNode {
    const options = [this.alternative()];
    while (this.peek() === '|') {
      this.pos++;
      options.push(this.alternative());
    }
    return options.length === 1 ? (options[0] as RegexNode) : { type: 'alternation', options };
  }

  private alternative(): RegexNode {
    const items: RegexNode[] = [];
    while (this.pos < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.term();
      items.push(this.quantified(atom));
    }
    return items.length === 1 ? (items[0] as RegexNode) : { type: 'sequence', items };
  }

  private term(): RegexNode {
    const c = this.peek();
    switch (c) {
      case '^':
        this.pos++;
        return { type: 'assert', kind: 'start' };
      case '$':
        this.pos++;
        return { type: 'assert', kind: 'end' };
      case '.':
        this.pos++;
        return { type: 'char', test: { kind: 'set', source: '.' } };
      case '(':
        return this.group();
      case '[':
        return this.characterClass();
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
      case '{':
        throw new RegexSyntaxProblem('nothing to repeat');
      default: {
        const codePoint = this.src.codePointAt(this.pos) as number;
        this.pos += codePoint > 0xffff ? 2 : 1;
        return { type: 'char', test: { kind: 'codePoint', codePoint } };
      }
    }
  }

  private group(): RegexNode {
    this.pos++; // (
    if (this.peek() === '?') {
      const next = this.peek(1);
      const after = this.peek(2);
      if (next === '=' || next === '!' || (next === '<' && (after === '=' || after === '!'))) {
        throw new RegexSyntaxProblem('lookahead and lookbehind are not supported');
      }
      if (next === ':') {
        this.pos += 2;
      } else if (next === '<') {
        const close = this.src.indexOf('>', this.pos);
        if (close < 0) throw new RegexSyntaxProblem('unterminated group name');
        this.pos = close + 1;
      } else {
        throw new RegexSyntaxProblem(`unsupported group "(?${next}"`);
      }
    }
    const body = this.disjunction();
    if (this.peek() !== ')') throw new RegexSyntaxProblem('unterminated group');
    this.pos++;
    return { type: 'group', body };
  }

  private characterClass(): RegexNode {
    const start = this.pos;
    this.pos++; // [
    while (this.pos < this.src.length && this.peek() !== ']') {
      if (this.peek() === '\\') this.pos++;
      this.pos++;
    }
    if (this.peek() !== ']') throw new RegexSyntaxProblem('unterminated character class');
    this.pos++;
    return { type: 'char', test: { kind: 'set', source: this.src.slice(start, this.pos) } };
  }

  private escape(): RegexNode {
    this.pos++; // backslash
    const c = this.peek();
    this.pos++;
    if (c === 'b') return { type: 'assert', kind: 'wordBoundary' };
    if (c === 'B') return { type: 'assert', kind: 'notWordBoundary' };
    if ((c >= '1' && c <= '9') || c === 'k') throw new RegexSyntaxProblem('backreferences are not supported');
    if (SET_ESCAPES.has(c)) return { type: 'char', test: { kind: 'set', source: `\\${c}` } };
    if (c === 'p' || c === 'P') {
      const close = this.src.indexOf('}', this.pos);
      if (this.peek() !== '{' || close < 0) throw new RegexSyntaxProblem('malformed property escape');
      const source = `\\${c}${this.src.slice(this.pos, close + 1)}`;
      this.pos = close + 1;
      return { type: 'char', test: { kind: 'set', source } };
    }
    return { type: 'char', test: { kind: 'codePoint', codePoint: this.characterEscape(c) } };
  }

  /** The code point of a character escape whose letter `c` was just consumed. */
  private characterEscape(c: string): number {
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return control;
    if (c === '0') return 0;
    if (c === 'c') {
      const letter = this.peek();
      this.pos++;
      return letter.charCodeAt(0) % 32;
    }
    if (c === 'x') return this.hex(2);
    if (c === 'u') {
      if (this.peek() === '{') {
        const close = this.src.indexOf('}', this.pos);
        if (close < 0) throw new RegexSyntaxProblem('malformed unicode escape');
        const codePoint = Number.parseInt(this.src.slice(this.pos + 1, close), 16);
        this.pos = close + 1;
        return codePoint;
      }
      const unit = this.hex(4);
      // In `u` mode an escaped surrogate pair denotes one code point.
      if (unit >= 0xd800 && unit <= 0xdbff && this.peek() === '\\' && this.peek(1) === 'u') {
        const save = this.pos;
        this.pos += 2;
        const low = /^[0-9a-fA-F]{4}$/.test(this.src.slice(this.pos, this.pos + 4)) ? this.hex(4) : -1;
        if (low >= 0xdc00 && low <= 0xdfff) return (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        this.pos = save;
      }
      return unit;
    }
    // Identity escape of a syntax character (or `/`, `-`).
    return c.codePointAt(0) ?? 0;
  }

  private hex(length: number): number {
    const digits = this.src.slice(this.pos, this.pos + length);
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== length) {
      throw new RegexSyntaxProblem('malformed escape');
    }
    this.pos += length;
    return Number.parseInt(digits, 16);
  }

  private quantified(atom: RegexNode): RegexNode {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Number.POSITIVE_INFINITY];
    else if (c === '+') [min, max] = [1, Number.POSITIVE_INFINITY];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (match === null) throw new RegexSyntaxProblem('malformed quantifier');
      min = Math.min(Number(match[1]), COUNT_CLAMP);
      max =
        match[2] === undefined
          ? min
          : match[3]
            ? Math.min(Number(match[3]), COUNT_CLAMP)
            : Number.POSITIVE_INFINITY;
      this.pos += match[0].length - 1;
    } else return atom;
    this.pos++;
    if (this.peek() === '?') this.pos++; // lazy: irrelevant for whether a match exists
    if (atom.type === 'assert') throw new RegexSyntaxProblem('nothing to repeat');
    if (atom.type === 'group' && containsRepeat(atom.body)) {
      throw new RegexSyntaxProblem(
        'nested quantifiers (a repeated group that itself contains a quantifier) are not supported',
      );
    }
    return { type: 'repeat', body: atom, min, max };
  }
}

function containsRepeat(node: RegexNode): boolean {
  switch (node.type) {
    case 'repeat':
      return true;
    case 'sequence':
      return node.items.some(containsRepeat);
    case 'alternation':
      return node.options.some(containsRepeat);
    case 'group':
      return containsRepeat(node.body);
    default:
      return false;
  }
}

/**
 * Parses a pattern of the `matches` dialect into a tree, or explains why it is not in the dialect.
 * The caller must have checked that `new RegExp(pattern, 'u')` accepts the pattern.
 *
 * @example
 * parseRegexPattern('^a+$');  // { node: { type: 'sequence', … } }
 * parseRegexPattern('(a)\\1'); // { problem: 'backreferences are not supported' }
 */
export function parseRegexPattern(pattern: string): { node: RegexNode } | { problem: string } {
  try {
    return { node: new Parser(pattern).parse() };
  } catch (error) {
    if (error instanceof RegexSyntaxProblem) return { problem: error.message };
    throw error;
  }
}
