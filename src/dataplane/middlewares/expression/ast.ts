/** A literal as predicate reads it: Go's int (decimal only), float64 or string. */
export interface LiteralNode {
  readonly type: 'literal';
  readonly kind: 'int' | 'float' | 'string' | 'char';
  readonly text: string;
  readonly column: number;
}

export interface CallNode {
  readonly type: 'call';
  readonly name: string;
  readonly args: readonly ExpressionNode[];
  readonly column: number;
}

/** A bare name, or a selector (`a.b`): predicate resolves neither without identifiers. */
export interface NameNode {
  readonly type: 'name';
  readonly name: string;
  readonly column: number;
}

export interface BinaryNode {
  readonly type: 'binary';
  readonly op: string;
  readonly left: ExpressionNode;
  readonly right: ExpressionNode;
  readonly column: number;
}

export interface UnaryNode {
  readonly type: 'unary';
  readonly op: string;
  readonly operand: ExpressionNode;
  readonly column: number;
}

/** Go syntax predicate has no use for (index, composite literals...), kept for the error. */
export interface OtherNode {
  readonly type: 'other';
  readonly what: string;
  readonly column: number;
}

export type ExpressionNode = LiteralNode | CallNode | NameNode | BinaryNode | UnaryNode | OtherNode;
