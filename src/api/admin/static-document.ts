import { z } from 'zod';
import { StaticConfig } from '../../config/static/index.js';
import { formatPath } from '../../config/key-path.js';
import { resourceKey } from '../../cluster/store/index.js';
import { AdminError } from './errors.js';

// The static documents `switchyard apply` deploys to every data node, one key per
// document under /switchyard/static/ (the shape is written out in
// static-config-routes.ts, where the distribution reads it from). Today there is one
// document, `entrypoints`: the listeners are what a data node cannot take from the
// dynamic configuration. Ping, metrics and the access log stay each data node's own
// flags, because they belong to its process (a metrics registry, a log file on its disk).

type EffectiveEntryPoints = StaticConfig['entryPoints'];
type EffectiveEntryPoint = EffectiveEntryPoints[string];

/** The documents `apply` may write; checkStaticDocument knows the shape of each. */
export const STATIC_DOCUMENTS = ['entrypoints'] as const;
export type StaticDocumentName = (typeof STATIC_DOCUMENTS)[number];

export const staticDocumentKey = (name: StaticDocumentName): string => resourceKey('static', name);

/** The document `name` names, or ADMIN_INVALID. */
export function staticDocumentName(name: string): StaticDocumentName {
  const known = STATIC_DOCUMENTS.find((n) => n === name);
  if (known === undefined) {
    throw new AdminError(
      'ADMIN_INVALID',
      name,
      `is not a document name (known: ${STATIC_DOCUMENTS.join(', ')})`,
    );
  }
  return known;
}

/**
 * The `entrypoints` document as written: `entryPoints.<name>` sections in the static file's
 * own form. It is parsed with the static schema itself, so the controller, the data node
 * and `apply` agree on what is valid and on the defaults.
 */
const EntryPointsDocument = z.strictObject({
  entryPoints: z.record(z.string(), z.unknown()).refine((eps) => Object.keys(eps).length > 0, {
    error: 'must name at least one entrypoint',
  }),
});

/**
 * Checks a document before it is stored. `path` names the document and the field:
 * `entrypoints.entryPoints.web.address`.
 */
export function checkStaticDocument(name: string, body: unknown): StaticDocumentName {
  const known = staticDocumentName(name);
  const shape = EntryPointsDocument.safeParse(body);
  const issue = shape.success
    ? StaticConfig.safeParse({ entryPoints: shape.data.entryPoints }).error?.issues[0]
    : shape.error.issues[0];
  if (issue !== undefined) {
    const field = formatPath(issue.path);
    throw new AdminError('ADMIN_INVALID', field === '' ? known : `${known}.${field}`, issue.message);
  }
  return known;
}

/**
 * The `entrypoints` document for entrypoints the static loader produced. The loader's
 * output is not its input (addresses are split into host and port, durations are
 * milliseconds), so each section is written back in the form the schema reads: what is
 * stored parses to the same entrypoints on every node.
 */
export function entryPointsDocument(entryPoints: EffectiveEntryPoints): {
  entryPoints: Record<string, unknown>;
} {
  return {
    entryPoints: Object.fromEntries(
      Object.entries(entryPoints).map(([name, ep]) => [name, entryPointSection(ep)]),
    ),
  };
}

// Durations go as Go duration strings: a bare number would be read as seconds.
const ms = (value: number): string => `${value}ms`;

function entryPointSection(ep: EffectiveEntryPoint): Record<string, unknown> {
  // Fields added to the schema later pass through as they are; host and port are derived.
  const { host: _host, port: _port, transport, ...rest } = ep;
  const { respondingTimeouts: rt, lifeCycle: lc } = transport;
  return {
    ...rest,
    transport: {
      ...transport,
      respondingTimeouts: {
        ...rt,
        readTimeout: ms(rt.readTimeout),
        writeTimeout: ms(rt.writeTimeout),
        idleTimeout: ms(rt.idleTimeout),
      },
      lifeCycle: {
        ...lc,
        graceTimeOut: ms(lc.graceTimeOut),
        requestAcceptGraceTimeout: ms(lc.requestAcceptGraceTimeout),
      },
    },
  };
}
