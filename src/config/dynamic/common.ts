import { z } from 'zod';

/** A `{ main, sans }` domain entry, used by router TLS and generated default certificates. */
export const Domain = z.strictObject({
  main: z.string().min(1),
  sans: z.array(z.string().min(1)).optional(),
});
export type Domain = z.infer<typeof Domain>;

/** A certificate as Traefik names it: a file path or the PEM content itself. */
export const CertificateFiles = z.strictObject({
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
});
export type CertificateFiles = z.infer<typeof CertificateFiles>;

export const NonNegativeInt = z.number().int().nonnegative();
