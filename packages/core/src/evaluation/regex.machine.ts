import type { RegexCharTest, RegexNode } from './regex.syntax';

/**
 * A Thompson-NFA / Pike-VM matcher for parsed `matches` patterns. It answers "does the pattern match
 * somewhere in the input" (RegExp.prototype.test) in O(input length × program size): no input can
 * make it backtrack, whatever the pattern.
 */

const OP_CHAR = 0;
const OP_SPLIT = 1;
const OP_JUMP = 2;
const OP_ASSERT = 3;
const OP_MATCH = 4;

const ASSERT_START = 0;
const ASSERT_END = 1;
const ASSERT_WORD = 2;
const ASSERT_NOT_WORD = 3;

/**
 * Programs larger than this (in instructions, after expanding counted repetitions) are refused,
 * which bounds the work per input character.
 *
 * @example
 * regexProblem('a{2000}'); // 'too complex: expands to more than 1024 instructions'
 */
export const MAX_REGEX_PROGRAM_SIZE = 1024;

/**
 * Thrown by RegexMachine.compile when the program would exceed MAX_REGEX_PROGRAM_SIZE.
 *
 * @example
 * try { RegexMachine.compile(node); } catch (e) { if (e instanceof RegexTooComplex) refuse(); }
 */
export class RegexTooComplex extends Error {}

interface CharTester {
  /** 1 where an ASCII code point matches. */
  ascii: Uint8Array;
  /** Matches exactly one code point; used for non-ASCII code points. */
  native: RegExp;
}

class ProgramBuilder {
  readonly ops: number[] = [];
  readonly a: number[] = [];
  readonly b: number[] = [];
  readonly testers: (CharTester | undefined)[] = [];

  emit(op: number, a = 0, b = 0, tester?: CharTester): number {
    if (this.ops.length >= MAX_REGEX_PROGRAM_SIZE) {
      throw new RegexTooComplex(`pattern expands to more than ${MAX_REGEX_PROGRAM_SIZE} instructions`);
    }
    this.ops.push(op);
    this.a.push(a);
    this.b.push(b);
    this.testers.push(tester);
    return this.ops.length - 1;
  }

  compile(node: RegexNode): void {
    switch (node.type) {
      case 'char':
        if (node.test.kind === 'codePoint') this.emit(OP_CHAR, node.test.codePoint, 0);
        else this.emit(OP_CHAR, -1, 0, charTester(node.test));
        return;
      case 'assert':
        this.emit(OP_ASSERT, ASSERT_KINDS[node.kind]);
        return;
      case 'group':
        this.compile(node.body);
        return;
      case 'sequence':
        for (const item of node.items) this.compile(item);
        return;
      case 'alternation': {
        const jumps: number[] = [];
        node.options.forEach((option, i) => {
          if (i < node.options.length - 1) {
            const split = this.emit(OP_SPLIT);
            this.a[split] = split + 1;
            this.compile(option);
            jumps.push(this.emit(OP_JUMP));
            this.b[split] = this.ops.length;
          } else {
            this.compile(option);
          }
        });
        for (const jump of jumps) this.a[jump] = this.ops.length;
        return;
      }
      case 'repeat': {
        for (let i = 0; i < node.min; i++) this.compile(node.body);
        if (node.max === Number.POSITIVE_INFINITY) {
          const split = this.emit(OP_SPLIT);
          this.a[split] = split + 1;
          this.compile(node.body);
          this.emit(OP_JUMP, split);
          this.b[split] = this.ops.length;
          return;
        }
        const splits: number[] = [];
        for (let i = node.min; i < node.max; i++) {
          const split = this.emit(OP_SPLIT);
          this.a[split] = split + 1;
          splits.push(split);
          this.compile(node.body);
        }
        for (const split of splits) this.b[split] = this.ops.length;
        return;
      }
    }
  }
}

const ASSERT_KINDS = {
  start: ASSERT_START,
  end: ASSERT_END,
  wordBoundary: ASSERT_WORD,
  notWordBoundary: ASSERT_NOT_WORD,
};

function charTester(test: Extract<RegexCharTest, { kind: 'set' }>): CharTester {
  // The engine defines what `.`, `\w`, `[^a-z]` or `\p{L}` mean; we only ask it about one code point.
  const native = new RegExp(`^(?:${test.source})$`, 'u');
  const ascii = new Uint8Array(128);
  for (let cp = 0; cp < 128; cp++) ascii[cp] = native.test(String.fromCharCode(cp)) ? 1 : 0;
  return { ascii, native };
}

function isWordUnit(input: string, index: number): boolean {
  if (index < 0 || index >= input.length) return false;
  const c = input.charCodeAt(index);
  // `\w` with the `u` flag and without `i` is exactly [A-Za-z0-9_].
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/**
 * A compiled pattern: `test(input)` answers like `new RegExp(pattern, 'u').test(input)` for the
 * patterns of the `matches` dialect, in time linear in the input.
 *
 * @example
 * const machine = RegexMachine.compile(node);
 * machine.test('hello');
 */
export class RegexMachine {
  private readonly ops: Uint8Array;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly testers: (CharTester | undefined)[];
  private readonly anchoredStart: boolean;
  // Scratch state reused by every call: matching is synchronous and never re-entered.
  private readonly current: Int32Array;
  private readonly next: Int32Array;
  private readonly marks: Uint32Array;
  private readonly stack: Int32Array;
  private generation = 0;

  private constructor(builder: ProgramBuilder) {
    this.ops = Uint8Array.from(builder.ops);
    this.a = Int32Array.from(builder.a);
    this.b = Int32Array.from(builder.b);
    this.testers = builder.testers;
    const size = this.ops.length;
    this.anchoredStart = this.ops[0] === OP_ASSERT && this.a[0] === ASSERT_START;
    this.current = new Int32Array(size);
    this.next = new Int32Array(size);
    this.marks = new Uint32Array(size);
    this.stack = new Int32Array(size * 2 + 2);
  }

  /**
   * Compiles a parsed pattern.
   *
   * @throws RegexTooComplex when the program would exceed MAX_REGEX_PROGRAM_SIZE instructions.
   * @example
   * RegexMachine.compile({ type: 'char', test: { kind: 'codePoint', codePoint: 0x61 } }).test('cat'); // true
   */
  static compile(node: RegexNode): RegexMachine {
    const builder = new ProgramBuilder();
    builder.compile(node);
    builder.emit(OP_MATCH);
    return new RegexMachine(builder);
  }

  /**
   * Whether the pattern matches anywhere in `input`.
   *
   * @example
   * machine.test('some input'); // true or false
   */
  test(input: string): boolean {
    const length = input.length;
    let current = this.current;
    let next = this.next;
    let count = 0;
    let position = 0;
    let mark = this.nextGeneration();
    for (;;) {
      if (position === 0 || !this.anchoredStart) {
        const added = this.add(current, count, 0, input, position, mark);
        if (added < 0) return true;
        count = added;
      }
      if (position >= length || (count === 0 && this.anchoredStart)) return false;
      const codePoint = input.codePointAt(position) as number;
      const width = codePoint > 0xffff ? 2 : 1;
      const nextMark = this.nextGeneration();
      let nextCount = 0;
      for (let i = 0; i < count; i++) {
        const pc = current[i] as number;
        if (this.ops[pc] !== OP_CHAR) continue;
        const expected = this.a[pc] as number;
        let ok: boolean;
        if (expected >= 0) ok = expected === codePoint;
        else {
          const tester = this.testers[pc] as CharTester;
          ok =
            codePoint < 128
              ? tester.ascii[codePoint] === 1
              : tester.native.test(String.fromCodePoint(codePoint));
        }
        if (!ok) continue;
        nextCount = this.add(next, nextCount, pc + 1, input, position + width, nextMark);
        if (nextCount < 0) return true;
      }
      const swap = current;
      current = next;
      next = swap;
      count = nextCount;
      position += width;
      mark = nextMark;
    }
  }

  private nextGeneration(): number {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.marks.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }

  /**
   * Adds `start` and every state reachable from it without consuming input to `list`; returns the
   * new count, or -1 as soon as the match state is reachable.
   */
  private add(
    list: Int32Array,
    count: number,
    start: number,
    input: string,
    position: number,
    mark: number,
  ): number {
    const { ops, a, b, marks, stack } = this;
    let top = 0;
    stack[top++] = start;
    let n = count;
    while (top > 0) {
      const pc = stack[--top] as number;
      if (marks[pc] === mark) continue;
      marks[pc] = mark;
      switch (ops[pc]) {
        case OP_MATCH:
          return -1;
        case OP_CHAR:
          list[n++] = pc;
          break;
        case OP_JUMP:
          stack[top++] = a[pc] as number;
          break;
        case OP_SPLIT:
          stack[top++] = b[pc] as number;
          stack[top++] = a[pc] as number;
          break;
        case OP_ASSERT: {
          const kind = a[pc];
          let holds: boolean;
          if (kind === ASSERT_START) holds = position === 0;
          else if (kind === ASSERT_END) holds = position === input.length;
          else {
            const boundary = isWordUnit(input, position - 1) !== isWordUnit(input, position);
            holds = kind === ASSERT_WORD ? boundary : !boundary;
          }
          if (holds) stack[top++] = pc + 1;
          break;
        }
      }
    }
    return n;
  }
}
