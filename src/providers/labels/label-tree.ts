import { ConfigError } from '../../config/errors.js';

// Labels are flat (`traefik.http.routers.web.tls.domains[0].main=example.com`); Traefik's
// label parser (paerser) first turns them into a tree, one node per dot-separated segment,
// and that is reproduced here: keys are read in sorted order, a segment matches an existing
// sibling case-insensitively (so `Routers.Web` and `routers.web` are one node, named as
// first written), `name[3]` is two segments, `name` and `[3]`, and a key seen twice in
// different cases keeps the value of the later one in sorted order.

export interface LabelNode {
  /** The segment as first written: `Routers`, `web`, `[0]`. */
  readonly name: string;
  /** The label key up to this segment, as first written; it names the node in errors. */
  readonly key: string;
  /** The value of the label that ends here, if one does. */
  value: string | undefined;
  readonly children: LabelNode[];
}

const LABEL_ROOT = 'traefik';

const INDEX = /^\[(\d+)\]$/;

/** The position of an index segment (`[3]` is 3), or undefined for a name. */
export const indexOf = (segment: string): number | undefined => {
  const match = INDEX.exec(segment);
  return match ? Number(match[1]) : undefined;
};

/**
 * The tree of the labels under `traefik.<section>` for the given sections (matched in any
 * case). Other labels are not looked at. A key whose root is `traefik` in another case, or
 * with an empty or malformed segment, is reported and left out, as Traefik refuses it.
 */
export function buildLabelTree(
  labels: Readonly<Record<string, string>>,
  sections: readonly string[],
): { root: LabelNode; errors: ConfigError[] } {
  const wanted = new Set(sections.map((s) => s.toLowerCase()));
  const root: LabelNode = { name: LABEL_ROOT, key: LABEL_ROOT, value: undefined, children: [] };
  const errors: ConfigError[] = [];
  for (const key of Object.keys(labels).sort()) {
    const segments = key.split('.');
    if (segments[0]!.toLowerCase() !== LABEL_ROOT || !wanted.has((segments[1] ?? '').toLowerCase())) continue;
    if (segments[0] !== LABEL_ROOT) {
      errors.push(
        new ConfigError('CONFIG_INVALID', key, `a label starts with "${LABEL_ROOT}." in lower case`),
      );
      continue;
    }
    const parts = splitSegments(segments.slice(1));
    if (typeof parts === 'string') {
      errors.push(new ConfigError('CONFIG_INVALID', key, parts));
      continue;
    }
    insert(root, parts, labels[key]!);
  }
  return { root, errors };
}

function splitSegments(segments: readonly string[]): string[] | string {
  const parts: string[] = [];
  for (const segment of segments) {
    if (segment === '') return 'empty segment: two dots in a row, or a dot at an end';
    if (segment.startsWith('[')) return `segment "${segment}" starts with "[", which only opens a list index`;
    const open = segment.indexOf('[');
    if (open < 0) {
      if (segment.includes(']')) return `segment "${segment}" has a "]" without "["`;
      parts.push(segment);
      continue;
    }
    const index = segment.slice(open);
    if (indexOf(index) === undefined)
      return `segment "${segment}": a list index is written name[0], name[1]…`;
    parts.push(segment.slice(0, open), index);
  }
  return parts;
}

function insert(root: LabelNode, parts: readonly string[], value: string): void {
  let node = root;
  let key = LABEL_ROOT;
  for (const part of parts) {
    key = part.startsWith('[') ? `${key}${part}` : `${key}.${part}`;
    const folded = part.toLowerCase();
    let child = node.children.find((c) => c.name.toLowerCase() === folded);
    if (!child) {
      // Named by the label that created it, so that `traefik.HTTP.routers.a.rule` does not
      // lend its spelling to `traefik.http.middlewares.b`.
      child = { name: part, key, value: undefined, children: [] };
      node.children.push(child);
    }
    node = child;
  }
  node.value = value;
}

/** A child by name, in any case. */
export const childNamed = (node: LabelNode, name: string): LabelNode | undefined => {
  const folded = name.toLowerCase();
  return node.children.find((c) => c.name.toLowerCase() === folded);
};
