import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';
import type { ExpressionNode, LiteralNode } from './ast.js';
import { parseExpression } from './parser.js';
import { ExpressionSyntaxError } from './tokens.js';
import { unquoteGoString } from './unquote.js';

/** The value types of predicate: Go's int, float64 and string. */
export type ValueType = 'int' | 'float' | 'string';
export type Value = number | string;
export type Predicate<C> = (context: C) => boolean;

/** A function an expression may call, with literal arguments only, as in predicate. */
export interface ExpressionFunction<C> {
  readonly params: readonly ValueType[];
  readonly result: ValueType | 'predicate';
  /** The evaluator for these (type-checked) arguments. */
  readonly bind: (args: readonly Value[]) => (context: C) => Value | boolean;
}

export interface ExpressionLanguage<C> {
  readonly functions: Readonly<Record<string, ExpressionFunction<C>>>;
  /** The value types `<`, `<=`, `>` and `>=` apply to; `==` and `!=` apply to all. */
  readonly ordered: ReadonlySet<ValueType>;
}

type Compiled<C> =
  | { readonly kind: 'predicate'; readonly test: Predicate<C> }
  | { readonly kind: 'value'; readonly type: ValueType; readonly read: (context: C) => Value }
  | { readonly kind: 'literal'; readonly type: ValueType; readonly value: Value };

class CompileError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

/**
 * Compiles a vulcand/predicate expression (Go syntax: calls of the language's functions,
 * literals, comparisons with the function on the left, &&, || and parentheses) into a
 * predicate. What Traefik refuses is a ConfigError whose message gives the column: a
 * syntax error is CONFIG_PARSE, a misuse (unknown function, mismatched types) CONFIG_INVALID.
 */
export function compileExpression<C>(source: string, language: ExpressionLanguage<C>): Result<Predicate<C>> {
  const where = (message: string, column: number): string =>
    `expression ${JSON.stringify(source)}: ${message} (column ${column})`;
  let root: ExpressionNode;
  try {
    root = parseExpression(source);
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    return fail(new ConfigError('CONFIG_PARSE', '', where(error.message, error.column)));
  }
  try {
    const compiled = compileNode(root, language);
    if (compiled.kind !== 'predicate') {
      throw new CompileError('the expression is a value, not a condition; compare it, e.g. "> 0.5"', 1);
    }
    return ok(compiled.test);
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    return fail(new ConfigError('CONFIG_INVALID', '', where(error.message, error.column)));
  }
}

function compileNode<C>(node: ExpressionNode, language: ExpressionLanguage<C>): Compiled<C> {
  switch (node.type) {
    case 'literal':
      return literal(node);
    case 'name':
      throw new CompileError(
        `${node.name} is not defined; functions are called with (), e.g. ${node.name}()`,
        node.column,
      );
    case 'other':
      throw new CompileError(`${node.what} is not supported`, node.column);
    case 'unary':
      throw new CompileError(`operator ${node.op} is not supported`, node.column);
    case 'call':
      return call(node.name, node.args, node.column, language);
    case 'binary':
      return binary(node.op, node.left, node.right, node.column, language);
  }
}

function literal<C>(node: LiteralNode): Compiled<C> {
  switch (node.kind) {
    case 'int':
      // predicate reads integers with strconv.Atoi: decimal digits only.
      if (!/^\d+$/.test(node.text))
        throw new CompileError(`cannot read ${node.text} as a decimal integer`, node.column);
      return { kind: 'literal', type: 'int', value: Number(node.text) };
    case 'float':
      if (!/^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(node.text)) {
        throw new CompileError(`cannot read ${node.text} as a decimal number`, node.column);
      }
      return { kind: 'literal', type: 'float', value: Number(node.text) };
    case 'string': {
      const value = unquoteGoString(node.text);
      if (value === undefined) throw new CompileError(`invalid string literal ${node.text}`, node.column);
      return { kind: 'literal', type: 'string', value };
    }
    case 'char':
      throw new CompileError(`the rune literal ${node.text} is not supported; use a string`, node.column);
  }
}

function call<C>(
  name: string,
  argNodes: readonly ExpressionNode[],
  column: number,
  language: ExpressionLanguage<C>,
): Compiled<C> {
  const fn = Object.hasOwn(language.functions, name) ? language.functions[name] : undefined;
  if (fn === undefined) {
    const known = Object.keys(language.functions).join(', ');
    throw new CompileError(`unsupported function ${name} (known: ${known})`, column);
  }
  const signature = `${name}(${fn.params.join(', ')})`;
  if (argNodes.length !== fn.params.length) {
    throw new CompileError(
      `${signature} takes ${fn.params.length} argument(s), got ${argNodes.length}`,
      column,
    );
  }
  const args = argNodes.map((argNode, i) => {
    const arg = compileNode(argNode, language);
    if (arg.kind !== 'literal')
      throw new CompileError(`the arguments of ${name} must be literal values`, argNode.column);
    const wanted = fn.params[i]!;
    if (arg.type !== wanted) {
      throw new CompileError(
        `argument ${i + 1} of ${signature} must be ${describe(wanted)}, got ${describe(arg.type)}`,
        argNode.column,
      );
    }
    return arg.value;
  });
  const bound = fn.bind(args);
  if (fn.result === 'predicate') return { kind: 'predicate', test: bound as Predicate<C> };
  return { kind: 'value', type: fn.result, read: bound as (context: C) => Value };
}

function binary<C>(
  op: string,
  leftNode: ExpressionNode,
  rightNode: ExpressionNode,
  column: number,
  language: ExpressionLanguage<C>,
): Compiled<C> {
  const left = compileNode(leftNode, language);
  const right = compileNode(rightNode, language);
  if (op === '&&' || op === '||') {
    if (left.kind !== 'predicate' || right.kind !== 'predicate') {
      throw new CompileError(`both sides of ${op} must be conditions`, column);
    }
    const a = left.test;
    const b = right.test;
    return { kind: 'predicate', test: op === '&&' ? (c) => a(c) && b(c) : (c) => a(c) || b(c) };
  }
  if (!['==', '!=', '<', '<=', '>', '>='].includes(op)) {
    throw new CompileError(`operator ${op} is not supported`, column);
  }
  if (left.kind !== 'value') {
    throw new CompileError(`the left side of ${op} must be a function call, e.g. ResponseCode()`, column);
  }
  if (right.kind !== 'literal')
    throw new CompileError(`the right side of ${op} must be a literal value`, column);
  if (right.type !== left.type) {
    throw new CompileError(`${op} compares ${describe(left.type)} with ${describe(right.type)}`, column);
  }
  if (op !== '==' && op !== '!=' && !language.ordered.has(left.type)) {
    throw new CompileError(`${op} does not apply to ${describe(left.type)}`, column);
  }
  return { kind: 'predicate', test: comparison(op, left.read, right.value) };
}

function comparison<C>(op: string, read: (context: C) => Value, value: Value): Predicate<C> {
  switch (op) {
    case '==':
      return (c) => read(c) === value;
    case '!=':
      return (c) => read(c) !== value;
    case '<':
      return (c) => read(c) < value;
    case '<=':
      return (c) => read(c) <= value;
    case '>':
      return (c) => read(c) > value;
    default:
      return (c) => read(c) >= value;
  }
}

function describe(type: ValueType): string {
  switch (type) {
    case 'int':
      return 'an integer (e.g. 100)';
    case 'float':
      return 'a number with a decimal point (e.g. 0.5)';
    case 'string':
      return 'a string';
  }
}
