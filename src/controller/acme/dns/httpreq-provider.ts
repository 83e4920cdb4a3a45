import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';
import type { DnsRecord } from '../acme-records.js';
import { envSeconds, type DnsProvider, type Env } from './dns-provider.js';

// lego's `httpreq` provider: POSTs JSON to HTTPREQ_ENDPOINT/present and /cleanup, either
// `{fqdn, value}` or, with HTTPREQ_MODE=RAW, `{domain, token, keyAuth}`; basic auth with
// HTTPREQ_USERNAME and HTTPREQ_PASSWORD. Any 2xx is success.

const PATH = 'certificatesResolvers.dnsChallenge.provider';

export function httpreqProvider(env: Env): Result<DnsProvider> {
  const endpoint = env.HTTPREQ_ENDPOINT?.trim();
  let base: URL;
  try {
    if (endpoint === undefined || endpoint === '') throw new Error('missing');
    base = new URL(endpoint);
  } catch {
    return fail(
      new ConfigError('STATIC_INVALID', PATH, 'provider httpreq needs HTTPREQ_ENDPOINT (an http(s) URL)'),
    );
  }
  const raw = env.HTTPREQ_MODE?.trim().toUpperCase() === 'RAW';
  const timeoutMs = envSeconds(env, 'HTTPREQ_HTTP_TIMEOUT', 30_000);
  const user = env.HTTPREQ_USERNAME ?? '';
  const password = env.HTTPREQ_PASSWORD ?? '';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (user !== '' || password !== '') {
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }

  const send = async (
    action: 'present' | 'cleanup',
    record: DnsRecord,
    signal: AbortSignal,
  ): Promise<void> => {
    const url = new URL(base);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/${action}`;
    const body = raw
      ? { domain: record.domain, token: record.token, keyAuth: record.keyAuthorization }
      : { fqdn: record.fqdn, value: record.value };
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (err) {
      throw new ConfigError(
        'ACME_CHALLENGE',
        PATH,
        `httpreq ${action} to ${url.origin} failed: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    const text = await res.text();
    if (res.status < 200 || res.status > 299) {
      throw new ConfigError(
        'ACME_CHALLENGE',
        PATH,
        `httpreq ${action} answered ${res.status}: ${text.slice(0, 200)}`,
      );
    }
  };
  return ok({
    present: (record, signal) => send('present', record, signal),
    cleanup: (record, signal) => send('cleanup', record, signal),
  });
}
