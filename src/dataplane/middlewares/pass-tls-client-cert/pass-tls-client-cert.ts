import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { ok, type Result } from '../../../config/errors.js';
import type { Handler } from '../../handler.js';
import { certificateInfo, queryEscape } from './cert-info.js';
import { peerCertificates, tlsSocketOf } from './peer-certificates.js';

type Config = MiddlewareOf<'passTLSClientCert'>;

interface Computed {
  readonly pem: string | undefined;
  readonly info: string | undefined;
}

/**
 * Traefik's passTLSClientCert: the client certificates of a mutual-TLS request go
 * upstream in X-Forwarded-Tls-Client-Cert (base64 DER, comma-separated) and the selected
 * details in X-Forwarded-Tls-Client-Cert-Info (query-escaped). Both are worked out once
 * per connection; a request without client certificate passes unchanged.
 */
export function buildPassTlsClientCert(config: Config, next: Handler): Result<Handler> {
  const pem = config.pem === true;
  const info = config.info;
  if (!pem && info === undefined) return ok(next);
  const byConnection = new WeakMap<object, Computed>();
  return ok((req, res, ctx) => {
    const socket = tlsSocketOf(req);
    if (socket !== undefined) {
      let computed = byConnection.get(socket);
      if (computed === undefined) {
        const certificates = peerCertificates(socket);
        computed = {
          pem:
            pem && certificates.length > 0
              ? certificates.map((der) => der.toString('base64')).join(',')
              : undefined,
          info:
            info !== undefined && certificates.length > 0
              ? queryEscape(certificates.map((der) => certificateInfo(der, info)).join(','))
              : undefined,
        };
        byConnection.set(socket, computed);
      }
      const headers = ctx.headers as Record<string, string | string[] | undefined>;
      if (computed.pem !== undefined) headers['x-forwarded-tls-client-cert'] = computed.pem;
      if (computed.info !== undefined) headers['x-forwarded-tls-client-cert-info'] = computed.info;
    }
    next(req, res, ctx);
  });
}
