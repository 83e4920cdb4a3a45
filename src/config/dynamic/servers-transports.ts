import { z } from 'zod';
import { Duration } from '../duration.js';
import { CertificateFiles } from './common.js';

export const ServersTransport = z.strictObject({
  serverName: z.string().optional(),
  insecureSkipVerify: z.boolean().optional(),
  rootCAs: z.array(z.string()).optional(),
  certificates: z.array(CertificateFiles).optional(),
  maxIdleConnsPerHost: z.number().int().optional(),
  forwardingTimeouts: z
    .strictObject({
      dialTimeout: Duration.optional(),
      responseHeaderTimeout: Duration.optional(),
      idleConnTimeout: Duration.optional(),
      readIdleTimeout: Duration.optional(),
      pingTimeout: Duration.optional(),
    })
    .optional(),
  disableHTTP2: z.boolean().optional(),
  peerCertURI: z.string().optional(),
  spiffe: z
    .strictObject({ ids: z.array(z.string()).optional(), trustDomain: z.string().optional() })
    .optional(),
});
export type ServersTransport = z.infer<typeof ServersTransport>;
