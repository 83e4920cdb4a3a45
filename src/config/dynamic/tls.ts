import { z } from 'zod';
import { CertificateFiles, Domain } from './common.js';

export const TLS_VERSIONS = ['VersionTLS10', 'VersionTLS11', 'VersionTLS12', 'VersionTLS13'] as const;

export const TlsCertificate = CertificateFiles.extend({ stores: z.array(z.string()).optional() });
export type TlsCertificate = z.infer<typeof TlsCertificate>;

export const TlsOptions = z.strictObject({
  minVersion: z.enum(TLS_VERSIONS).optional(),
  maxVersion: z.enum(TLS_VERSIONS).optional(),
  cipherSuites: z.array(z.string()).optional(),
  curvePreferences: z.array(z.string()).optional(),
  clientAuth: z
    .strictObject({
      caFiles: z.array(z.string()).optional(),
      clientAuthType: z
        .enum([
          'NoClientCert',
          'RequestClientCert',
          'RequireAnyClientCert',
          'VerifyClientCertIfGiven',
          'RequireAndVerifyClientCert',
        ])
        .optional(),
    })
    .optional(),
  sniStrict: z.boolean().optional(),
  alpnProtocols: z.array(z.string()).optional(),
  disableSessionTickets: z.boolean().optional(),
  preferServerCipherSuites: z.boolean().optional(),
});
export type TlsOptions = z.infer<typeof TlsOptions>;

export const TlsStore = z.strictObject({
  defaultCertificate: CertificateFiles.optional(),
  defaultGeneratedCert: z.strictObject({ resolver: z.string(), domain: Domain.optional() }).optional(),
});
export type TlsStore = z.infer<typeof TlsStore>;
