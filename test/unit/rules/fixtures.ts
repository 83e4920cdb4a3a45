import type { RequestView, RuleNode } from '../../../src/rules/index.js';

/** A request view with harmless defaults; tests override what they look at. */
export function request(overrides: Partial<RequestView> = {}): RequestView {
  return {
    method: 'GET',
    host: 'example.com',
    path: '/',
    rawQuery: '',
    headers: {},
    clientIp: '192.0.2.1',
    ...overrides,
  };
}

/** A compact, readable form of a rule tree: and(Host("a"), not(Path("/x"))). */
export function show(node: RuleNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `${node.kind}(${show(node.left)}, ${show(node.right)})`;
    case 'not':
      return `not(${show(node.operand)})`;
    case 'matcher':
      return `${node.name}(${node.args.map((a) => JSON.stringify(a)).join(', ')})`;
  }
}
