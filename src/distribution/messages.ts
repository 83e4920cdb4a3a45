import { z } from 'zod';
import { NodeId } from '../cluster/pki/index.js';
import { MAX_KEY_BYTES } from '../cluster/store/index.js';

// The messages of the distribution stream, one schema each: the only source of their types.
// A control node streams the keys a data node serves (configuration, static documents,
// ACME certificates and challenge answers) as [key, JSON text] pairs, first as a snapshot
// tagged with its store revision, then as deltas from one revision to the next. Both come
// in chunks so that no message grows with the cluster (codec.ts keeps each under its limit).
// The data node answers each whole version with an ACK or a NACK.

/** A store revision: the version of what a data node serves. */
export const Revision = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const Key = z.string().min(1).max(MAX_KEY_BYTES);
/** One key and its value as text (sealed values already opened by the control node). */
export const Entry = z.tuple([Key, z.string()]);
export type Entry = z.infer<typeof Entry>;

/** A message of one version spans chunks 0..n, the last one flagged. */
const Chunk = z.number().int().nonnegative().max(1_000_000);

/** At most this many errors travel in one ACK or NACK; the rest are counted in the last. */
export const MAX_REPORTED_ERRORS = 100;

/** A ConfigError as JSON (ConfigError.toJSON): where, what, and the stable code. */
export const WireError = z.strictObject({
  code: z.string().min(1).max(64),
  path: z.string().max(4096),
  message: z.string().max(4096),
});
export type WireError = z.infer<typeof WireError>;
const WireErrors = z.array(WireError).max(MAX_REPORTED_ERRORS);

// data node → control node

export const Hello = z.strictObject({
  type: z.literal('hello'),
  nodeId: NodeId,
  /** The revision it serves (from its cache, or applied earlier on another stream). */
  appliedRevision: Revision.optional(),
});
export const Ack = z.strictObject({
  type: z.literal('ack'),
  revision: Revision,
  /** The resources the version serves without (a router naming an entrypoint this node lacks). */
  errors: WireErrors.optional(),
});
export const Nack = z.strictObject({
  type: z.literal('nack'),
  revision: Revision,
  errors: WireErrors.min(1),
});
export const Keepalive = z.strictObject({ type: z.literal('keepalive') });

export const DataMessage = z.discriminatedUnion('type', [Hello, Ack, Nack, Keepalive]);
export type DataMessage = z.infer<typeof DataMessage>;

// control node → data node

export const Snapshot = z.strictObject({
  type: z.literal('snapshot'),
  revision: Revision,
  chunk: Chunk,
  last: z.boolean(),
  entries: z.array(Entry),
});
export type Snapshot = z.infer<typeof Snapshot>;

export const Delta = z
  .strictObject({
    type: z.literal('delta'),
    fromRevision: Revision,
    revision: Revision,
    chunk: Chunk,
    last: z.boolean(),
    puts: z.array(Entry),
    deletes: z.array(Key),
  })
  .refine((delta) => delta.revision > delta.fromRevision, {
    path: ['revision'],
    error: 'must be above fromRevision',
  });
export type Delta = z.infer<typeof Delta>;

export const ControlMessage = z.discriminatedUnion('type', [Snapshot, Delta, Keepalive]);
export type ControlMessage = z.infer<typeof ControlMessage>;
