import { ConfigError } from '../../config/errors.js';
import { decodeNode, type DecodeSink } from './decode-node.js';
import { buildLabelTree, childNamed, type LabelNode } from './label-tree.js';
import {
  ALLOW_EMPTY,
  LABEL_HTTP_SECTIONS,
  REFUSED,
  type LabelHttpSection,
  type LabelRouter,
  type LabelService,
} from './label-view.js';
import { rawValueOf, type RawLabelValue } from './raw-tree.js';

/** The configuration a container's (or a Swarm service's) labels define, before validation. */
export interface DecodedLabels {
  /** Resources that decoded, named as the labels name them. Validation by the schemas comes next. */
  readonly http: {
    readonly routers: Record<string, LabelRouter>;
    readonly services: Record<string, LabelService>;
    readonly middlewares: Record<string, unknown>;
  };
  /** Every resource the labels name, including those whose labels are wrong. */
  readonly named: { readonly [S in LabelHttpSection]: readonly string[] };
  /** `traefik.tcp.*` and `traefik.udp.*` as written, for the TCP and UDP providers to come. */
  readonly tcp: RawLabelValue | undefined;
  readonly udp: RawLabelValue | undefined;
  /** Label errors, each with the label key as its path. */
  readonly errors: ConfigError[];
  /** Configuration path (`http.routers.web.priority`) → the label key that set it. */
  readonly sources: Map<string, string>;
}

const OPTIONS = { allowEmpty: ALLOW_EMPTY, refused: REFUSED };

/**
 * Decodes Traefik's `traefik.http.*` labels. A resource with a wrong label is left out and
 * each wrong label reported; the other resources stand. `traefik.tcp.*` and `traefik.udp.*`
 * are kept as written and never reported. `traefik.tls.*` is reported as unsupported:
 * Traefik decodes it and then drops it, so it never had an effect.
 */
export function decodeLabels(labels: Readonly<Record<string, string>>): DecodedLabels {
  const { root, errors } = buildLabelTree(labels, ['http', 'tcp', 'udp', 'tls']);
  const sources = new Map<string, string>();
  const decoded: DecodedLabels = {
    http: { routers: {}, services: {}, middlewares: {} },
    named: { routers: [], services: [], middlewares: [] },
    tcp: optionalRaw(childNamed(root, 'tcp')),
    udp: optionalRaw(childNamed(root, 'udp')),
    errors,
    sources,
  };
  const tls = childNamed(root, 'tls');
  if (tls) {
    for (const key of leafKeys(tls)) {
      const detail = 'TLS options and stores cannot be set with labels (Traefik ignores them); use a file';
      errors.push(new ConfigError('UNSUPPORTED', key, detail));
    }
  }
  const http = childNamed(root, 'http');
  if (!http) return decoded;
  if (http.children.length === 0) {
    errors.push(
      new ConfigError('CONFIG_INVALID', http.key, 'set traefik.http.routers, .services or .middlewares'),
    );
  }
  for (const sectionNode of http.children) {
    const section = sectionOf(sectionNode.name);
    if (!section) {
      const refused = REFUSED.get(sectionNode.name.toLowerCase());
      const detail = refused ?? `unknown section ${sectionNode.name} (routers, services or middlewares)`;
      errors.push(new ConfigError('CONFIG_UNKNOWN_FIELD', sectionNode.key, detail));
      continue;
    }
    if (sectionNode.children.length === 0) {
      errors.push(
        new ConfigError('CONFIG_INVALID', sectionNode.key, `name the resource: ${sectionNode.key}.<name>.…`),
      );
    }
    for (const resource of sectionNode.children) {
      (decoded.named[section] as string[]).push(resource.name);
      const value = decodeResource(resource, section, { errors, sources });
      if (value !== undefined) (decoded.http[section] as Record<string, unknown>)[resource.name] = value;
    }
  }
  return decoded;
}

function decodeResource(node: LabelNode, section: LabelHttpSection, sink: DecodeSink): unknown {
  const path = ['http', section, node.name];
  // paerser makes an empty resource of `traefik.http.routers.web=<anything>`.
  if (node.children.length === 0) {
    sink.sources.set(path.join('.'), node.key);
    return {};
  }
  const errors: ConfigError[] = [];
  const value = decodeNode(
    node,
    LABEL_HTTP_SECTIONS[section],
    OPTIONS,
    { errors, sources: sink.sources },
    path,
    [section, '*'],
  );
  sink.errors.push(...errors);
  return errors.length === 0 ? value : undefined;
}

const sectionOf = (name: string): LabelHttpSection | undefined => {
  const folded = name.toLowerCase();
  return Object.keys(LABEL_HTTP_SECTIONS).find((s): s is LabelHttpSection => s === folded);
};

const optionalRaw = (node: LabelNode | undefined): RawLabelValue | undefined =>
  node ? rawValueOf(node) : undefined;

function leafKeys(node: LabelNode): string[] {
  return node.children.length === 0 ? [node.key] : node.children.flatMap(leafKeys);
}

const LAST_SEGMENT = /(?:\.[^.[\]]+|\[\d+\])$/;

/**
 * The label key behind a configuration path, for errors found by validation: the key that
 * set the path, else the key of its nearest ancestor with the rest of the path appended
 * (`http.middlewares.auth.basicAuth.users` → `traefik.http.middlewares.auth.basicauth.users`).
 */
export function labelKeyFor(sources: ReadonlyMap<string, string>, path: string): string {
  let prefix = path;
  while (prefix !== '') {
    const key = sources.get(prefix);
    if (key !== undefined) return key + path.slice(prefix.length);
    const shorter = prefix.replace(LAST_SEGMENT, '');
    if (shorter === prefix) break;
    prefix = shorter;
  }
  return `traefik.${path}`;
}
