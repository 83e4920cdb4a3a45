import type { IncomingHttpHeaders } from 'node:http';

// What the data plane hands the router for each request. Rules read only these fields, and
// the data plane fills them the way Go's net/http would, so that matching behaves as in Traefik.
export interface RequestView {
  readonly method: string; // upper-case as received
  readonly host: string; // lower-cased, port stripped, trailing dot kept as sent
  readonly path: string; // URL path, percent-decoded as Go's URL.Path is
  readonly rawQuery: string; // query string without '?', '' if none
  readonly headers: IncomingHttpHeaders; // node's lower-cased header object
  readonly clientIp: string; // the TCP peer address (IPv4-mapped IPv6 unwrapped)
}
