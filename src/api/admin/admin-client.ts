import { request } from 'node:https';
import { clientTlsOptions, type Credentials } from '../../cluster/pki/index.js';
import { DEFAULT_ADMIN_PORT } from './admin-address.js';
import { adminFail, adminOk, type AdminResult } from './errors.js';

export const DEFAULT_API_ADDRESS = `https://127.0.0.1:${DEFAULT_ADMIN_PORT}`;

/**
 * `--apiaddress` as Traefik Enterprise's tools take it (`10.0.0.5:55055`), or as a URL.
 * Only https: the API speaks nothing else.
 */
export function parseApiAddress(text: string): AdminResult<URL> {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return adminFail('ADMIN_INVALID', 'apiaddress', `${text} is not host:port or an https URL`);
  }
  if (url.protocol !== 'https:')
    return adminFail('ADMIN_INVALID', 'apiaddress', `${text}: the admin API is https only`);
  if (url.pathname !== '/' || url.search !== '') {
    return adminFail('ADMIN_INVALID', 'apiaddress', `${text}: give the address only, without a path`);
  }
  if (url.port === '') url.port = String(DEFAULT_ADMIN_PORT);
  return adminOk(url);
}

export interface AdminResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface AdminRequest {
  readonly api: URL;
  /** The admin credentials (ca.pem, cert.pem, key.pem written at bootstrap). */
  readonly credentials: Credentials;
  readonly method: 'GET' | 'DELETE' | 'PUT' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly timeoutMs?: number;
}

/** One call to the admin API over mutual TLS; the server must be a control node of the admin's cluster. */
export function callAdminApi(req: AdminRequest): Promise<AdminResponse> {
  const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  return new Promise((resolve, reject) => {
    const call = request(
      new URL(req.path, req.api),
      {
        ...clientTlsOptions(req.credentials),
        method: req.method,
        timeout: req.timeoutMs ?? 30_000,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    call.on('timeout', () =>
      call.destroy(new Error(`no answer from ${req.api.host} within ${req.timeoutMs ?? 30_000} ms`)),
    );
    call.on('error', reject);
    call.end(payload);
  });
}

/** The `{ error }` an admin API answer carries, as text for an operator. */
export function describeFailure(res: AdminResponse): string {
  try {
    const { error } = JSON.parse(res.body.toString('utf8')) as {
      error?: { code?: string; path?: string; message?: string };
    };
    if (error !== undefined) {
      return `${error.code ?? `HTTP ${res.status}`}: ${error.path ? `${error.path}: ` : ''}${error.message ?? ''}`;
    }
  } catch {
    // not JSON: fall through
  }
  return `HTTP ${res.status}`;
}
