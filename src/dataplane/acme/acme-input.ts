import type { z } from 'zod';
import {
  ACME_CERTIFICATES_PREFIX,
  AcmeCertificate,
  Http01Answer,
  HTTP01_PREFIX,
  TLS_ALPN01_PREFIX,
  TlsAlpn01Answer,
} from '../../cluster/node/index.js';
import type { TlsCertificate } from '../../config/dynamic/index.js';
import { ConfigError } from '../../config/errors.js';
import type { AcmeAnswers } from '../data-plane.js';

// What the ACME keys a data node receives become in its ApplyInput: certificates join the
// default TLS store (after the configured ones, so a certificate the user gave wins for
// the names both cover), challenge answers go to `acme`. Values arrive opened (the control
// node unseals them before streaming) as JSON text.

export interface AcmeInput {
  /** For the dynamic configuration's tls.certificates. */
  readonly certificates: readonly TlsCertificate[];
  readonly acme: AcmeAnswers;
  /** One per value that does not decode, named by its key; the rest is kept. */
  readonly errors: readonly ConfigError[];
}

/** Reads the ACME entries among `entries` (store key → value text); other keys are skipped. */
export function acmeInputFromEntries(entries: Iterable<readonly [key: string, text: string]>): AcmeInput {
  const certificates: TlsCertificate[] = [];
  const http01 = new Map<string, string>();
  const tlsAlpn01 = new Map<string, { certificate: string; key: string }>();
  const errors: ConfigError[] = [];
  const decode = <T>(schema: z.ZodType<T>, key: string, text: string): T | undefined => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      errors.push(new ConfigError('CONFIG_PARSE', key, `not JSON: ${(err as Error).message}`));
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    errors.push(new ConfigError('CONFIG_INVALID', key, parsed.error.message));
    return undefined;
  };
  for (const [key, text] of entries) {
    if (key.startsWith(ACME_CERTIFICATES_PREFIX)) {
      const cert = decode(AcmeCertificate, key, text);
      if (cert !== undefined) certificates.push({ certFile: cert.certificate, keyFile: cert.key });
    } else if (key.startsWith(HTTP01_PREFIX)) {
      const answer = decode(Http01Answer, key, text);
      if (answer !== undefined) http01.set(answer.token, answer.keyAuthorization);
    } else if (key.startsWith(TLS_ALPN01_PREFIX)) {
      const answer = decode(TlsAlpn01Answer, key, text);
      if (answer !== undefined) {
        tlsAlpn01.set(answer.domain.toLowerCase(), { certificate: answer.certificate, key: answer.key });
      }
    }
  }
  return { certificates, acme: { http01, tlsAlpn01 }, errors };
}
