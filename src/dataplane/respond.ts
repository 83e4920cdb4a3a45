import type { OutgoingHttpHeader } from 'node:http';
import type { ProxyResponse } from './handler.js';

// Answers the data plane writes itself, shaped like Go's: http.Error sets a plain-text
// type, nosniff and a trailing newline; a bare write of text is sniffed as plain text.
const TEXT = 'text/plain; charset=utf-8';
const NOT_FOUND_BODY = Buffer.from('404 page not found\n');
const NOT_FOUND_HEADERS = [
  'content-type',
  TEXT,
  'x-content-type-options',
  'nosniff',
  'content-length',
  String(NOT_FOUND_BODY.length),
];

type Writable = ProxyResponse & { writeHead(status: number, headers: OutgoingHttpHeader[]): unknown };

function write(
  res: ProxyResponse,
  status: number,
  headers: OutgoingHttpHeader[],
  body: Buffer | string,
): void {
  (res as Writable).writeHead(status, headers);
  res.end(body);
}

/** Go's http.NotFound, which Traefik answers when no router matches. */
export function notFound(res: ProxyResponse): void {
  write(res, 404, NOT_FOUND_HEADERS, NOT_FOUND_BODY);
}

/** Go's http.Error: the text and a newline, as plain text. */
export function sendError(res: ProxyResponse, status: number, text: string): void {
  const body = `${text}\n`;
  write(
    res,
    status,
    [
      'content-type',
      TEXT,
      'x-content-type-options',
      'nosniff',
      'content-length',
      String(Buffer.byteLength(body)),
    ],
    body,
  );
}

/** A plain-text body without the newline, as Go writes with fmt.Fprint. */
export function sendText(res: ProxyResponse, status: number, text: string): void {
  write(res, status, ['content-type', TEXT, 'content-length', String(Buffer.byteLength(text))], text);
}

/** A redirect whose body is the status text, as Traefik's redirect middlewares write it. */
export function sendRedirect(res: ProxyResponse, status: number, location: string): void {
  const body = STATUS_TEXT[status] ?? '';
  write(
    res,
    status,
    ['location', location, 'content-type', TEXT, 'content-length', String(body.length)],
    body,
  );
}

const STATUS_TEXT: Record<number, string> = {
  301: 'Moved Permanently',
  302: 'Found',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
};
