import { ConfigError } from '../config/errors.js';

/** A reference from one resource to another of the same section, e.g. weighted → service. */
export interface Edge {
  readonly target: string;
  /** The full path of the referring field, e.g. `http.services.a@file.weighted.services[0].name`. */
  readonly path: string;
}

/**
 * Finds which resources of one section cannot work given their references to each
 * other: a reference to a name that does not exist (CONFIG_MISSING_REFERENCE), a loop
 * (CONFIG_CYCLE, on every member), or a reference to a resource that cannot work itself
 * (CONFIG_MISSING_REFERENCE naming the cause). `disabled` holds the resources already
 * known not to work, with their errors. Returns every disabled resource with its errors.
 * `kind` names the section in messages ("service", "middleware").
 */
export function resolveDependencies(
  kind: string,
  edges: ReadonlyMap<string, readonly Edge[]>,
  disabled: ReadonlyMap<string, readonly ConfigError[]>,
): Map<string, ConfigError[]> {
  const out = new Map<string, ConfigError[]>([...disabled].map(([name, errors]) => [name, [...errors]]));
  const add = (name: string, error: ConfigError) => out.set(name, [...(out.get(name) ?? []), error]);
  const state = new Map<string, 'visiting' | 'done'>();
  // The path being explored and, for each of its members, the field leading to the next one.
  const stack: string[] = [];
  const via: string[] = [];

  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const edge of edges.get(name) ?? []) {
      if (!edges.has(edge.target)) {
        add(
          name,
          new ConfigError('CONFIG_MISSING_REFERENCE', edge.path, `${kind} "${edge.target}" does not exist`),
        );
        continue;
      }
      const seen = state.get(edge.target);
      if (seen === 'visiting') {
        const start = stack.indexOf(edge.target);
        const loop = [...stack.slice(start), edge.target].join(' -> ');
        const paths = [...via.slice(start), edge.path];
        stack.slice(start).forEach((member, i) => {
          if (out.get(member)?.some((e) => e.code === 'CONFIG_CYCLE')) return;
          add(
            member,
            new ConfigError('CONFIG_CYCLE', paths[i]!, `${kind}s refer to each other in a loop: ${loop}`),
          );
        });
        continue;
      }
      if (seen === undefined) {
        via.push(edge.path);
        visit(edge.target);
        via.pop();
      }
      const cause = out.get(edge.target)?.[0];
      // One reason per resource is enough; the rest would repeat the same story.
      if (cause && !out.has(name)) {
        add(
          name,
          new ConfigError(
            'CONFIG_MISSING_REFERENCE',
            edge.path,
            `${kind} "${edge.target}" is disabled: ${cause.message}`,
            { cause },
          ),
        );
      }
    }
    stack.pop();
    state.set(name, 'done');
  };

  for (const name of [...edges.keys()].sort()) if (!state.has(name)) visit(name);
  return out;
}
