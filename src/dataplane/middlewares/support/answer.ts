import type { OutgoingHttpHeader, ServerResponse } from 'node:http';
import type { ProxyResponse } from '../../handler.js';
import { goStatusText } from './go-status-text.js';

const TEXT_PLAIN = 'text/plain; charset=utf-8';

/**
 * What Go writes for `WriteHeader(status)` then `Write(text)`: the body is sniffed as plain
 * text and, being small, gets a Content-Length. `extra` is a flat [name, value, ...] list.
 */
export function answerText(
  res: ProxyResponse,
  status: number,
  text: string,
  extra: readonly string[] = [],
): void {
  const body = Buffer.from(text);
  const headers: OutgoingHttpHeader[] = [
    ...extra,
    'content-type',
    TEXT_PLAIN,
    'content-length',
    String(body.length),
  ];
  (res as ServerResponse).writeHead(status, headers);
  res.end(body);
}

/** The status and Go's text for it as the body, as Traefik's middlewares reject requests. */
export function answerStatus(res: ProxyResponse, status: number, extra: readonly string[] = []): void {
  answerText(res, status, goStatusText(status), extra);
}
