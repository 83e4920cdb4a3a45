export interface DependencyOrder {
  /** Every node, each after the nodes it depends on (cycles aside). */
  readonly order: readonly string[];
  /** Each cycle once, as the path that closes it: `[a, b, a]`. */
  readonly cycles: readonly (readonly string[])[];
  /** The nodes on some cycle. */
  readonly cyclic: ReadonlySet<string>;
}

/**
 * Orders nodes so that dependencies come first (depth-first post-order) and finds the
 * cycles. Dependencies that are not nodes are ignored: the builders report them.
 */
export function dependencyOrder(graph: ReadonlyMap<string, readonly string[]>): DependencyOrder {
  const order: string[] = [];
  const cycles: string[][] = [];
  const cyclic = new Set<string>();
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();

  const visit = (node: string): void => {
    if (done.has(node)) return;
    if (onStack.has(node)) {
      const cycle = [...stack.slice(stack.indexOf(node)), node];
      cycles.push(cycle);
      for (const member of cycle) cyclic.add(member);
      return;
    }
    stack.push(node);
    onStack.add(node);
    for (const dependency of graph.get(node) ?? []) if (graph.has(dependency)) visit(dependency);
    stack.pop();
    onStack.delete(node);
    done.add(node);
    order.push(node);
  };

  for (const node of graph.keys()) visit(node);
  return { order, cycles, cyclic };
}
