import { z } from 'zod';

/** Roles a certificate can carry. `admin` is only ever issued by the CA holder, never by a join. */
export const CERT_ROLES = ['control', 'data', 'admin'] as const;
export const CertRole = z.enum(CERT_ROLES);
export type CertRole = z.infer<typeof CertRole>;

/** Roles a join token can grant. */
export const JOIN_ROLES = ['control', 'data'] as const;
export const JoinRole = z.enum(JOIN_ROLES);
export type JoinRole = z.infer<typeof JoinRole>;

// Lower-case DNS labels. A node id doubles as the node's DNS name in its certificate and
// as a segment of its SPIFFE id, so it must be valid in both; a cluster id is the SPIFFE
// trust domain, which allows the same characters.
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

export const ClusterId = z
  .string()
  .max(63)
  .regex(HOSTNAME, 'must be lower-case letters, digits, dots and dashes (a DNS name)');
export type ClusterId = z.infer<typeof ClusterId>;

export const NodeId = z
  .string()
  .max(253)
  .regex(HOSTNAME, 'must be lower-case letters, digits, dots and dashes (a DNS name)');
export type NodeId = z.infer<typeof NodeId>;

/** A DNS name a certificate may carry: a lower-case hostname, never a wildcard. */
export const isHostname = (name: string): boolean => name.length <= 253 && HOSTNAME.test(name);
