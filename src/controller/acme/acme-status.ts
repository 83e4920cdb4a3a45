import { readPrefix, type Store } from '../../cluster/store/index.js';
import {
  ACME_ORDERS_PREFIX,
  ACME_ROUTER_ERRORS_PREFIX,
  OrderRecord,
  type OrderState,
  type RecordedError,
} from './acme-records.js';

// What `switchyard certs` and the admin API show: every certificate's order record and
// the routers' ACME errors, read from the store as the manager left them. Only plaintext
// records are read: no key is opened.

export interface CertificateStatus {
  readonly resolver: string;
  readonly main: string;
  readonly sans: readonly string[];
  readonly state: OrderState;
  /** No router asks for it any more: served until it expires, not renewed. */
  readonly unused: boolean;
  readonly issuer: string | undefined;
  readonly notAfter: string | undefined;
  /** When the manager looks at it next (renewal check, retry). */
  readonly nextCheck: string | undefined;
  readonly failures: number;
  readonly lastError: { readonly code: string; readonly message: string; readonly at: string } | undefined;
}

export interface RouterAcmeErrors {
  readonly router: string;
  readonly errors: readonly { readonly code: string; readonly path: string; readonly message: string }[];
}

export interface AcmeStatus {
  readonly certificates: readonly CertificateStatus[];
  readonly routers: readonly RouterAcmeErrors[];
}

const decoder = new TextDecoder();
const iso = (time: number | undefined): string | undefined =>
  time === undefined || time >= Number.MAX_SAFE_INTEGER ? undefined : new Date(time).toISOString();
const errorView = (error: RecordedError | undefined): CertificateStatus['lastError'] =>
  error === undefined
    ? undefined
    : { code: error.code, message: error.message, at: new Date(error.at).toISOString() };

export async function readAcmeStatus(store: Pick<Store, 'list'>): Promise<AcmeStatus> {
  const [orders, errors] = await Promise.all([
    readPrefix(store as Store, ACME_ORDERS_PREFIX),
    readPrefix(store as Store, ACME_ROUTER_ERRORS_PREFIX),
  ]);
  const certificates: CertificateStatus[] = [];
  for (const kv of orders.kvs) {
    const parsed = OrderRecord.safeParse(parseJson(kv.value));
    if (!parsed.success) continue;
    const r = parsed.data;
    certificates.push({
      resolver: r.resolver,
      main: r.main,
      sans: r.sans,
      state: r.state,
      unused: r.unusedSince !== undefined,
      issuer: r.issuer,
      notAfter: iso(r.notAfter),
      nextCheck: iso(r.dueAt),
      failures: r.failures,
      lastError: errorView(r.lastError),
    });
  }
  const routers: RouterAcmeErrors[] = [];
  for (const kv of errors.kvs) {
    const list = parseJson(kv.value);
    if (!Array.isArray(list)) continue;
    routers.push({
      router: kv.key.slice(ACME_ROUTER_ERRORS_PREFIX.length),
      errors: list.filter(isErrorJson),
    });
  }
  return { certificates, routers };
}

function isErrorJson(value: unknown): value is RouterAcmeErrors['errors'][number] {
  return (
    typeof value === 'object' && value !== null && 'code' in value && 'path' in value && 'message' in value
  );
}

function parseJson(value: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(value));
  } catch {
    return undefined;
  }
}

/** The status as a text table: one line per certificate, then the routers' errors. */
export function formatAcmeStatus(status: AcmeStatus): string {
  const rows = status.certificates.map((c) => [
    [c.main, ...c.sans].join(','),
    c.resolver,
    c.issuer ?? '-',
    c.notAfter ?? '-',
    c.unused ? `${c.state} (unused)` : c.state,
    c.lastError === undefined ? '-' : `${c.lastError.code}: ${c.lastError.message}`,
  ]);
  const header = ['DOMAINS', 'RESOLVER', 'ISSUER', 'NOT AFTER', 'STATE', 'LAST ERROR'];
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (i === 5 ? 0 : row[i]!.length))),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  for (const { router, errors } of status.routers) {
    for (const error of errors) out.push(`router ${router}: ${error.code} ${error.path}: ${error.message}`);
  }
  return `${out.join('\n')}\n`;
}
