import type { Http2ServerRequest } from 'node:http2';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { ProxyRequest } from '../../handler.js';

/** The TLS socket a request came over, or undefined for a plain connection. */
export function tlsSocketOf(req: ProxyRequest): TLSSocket | undefined {
  const stream = (req as Http2ServerRequest).stream;
  const socket = (stream === undefined ? req.socket : stream.session?.socket) as TLSSocket | undefined;
  return socket !== undefined && socket !== null && (socket as { encrypted?: boolean }).encrypted === true
    ? socket
    : undefined;
}

/**
 * The client's certificates as DER, leaf first: Go's PeerCertificates. Node's chain also
 * holds the issuers it found in its trust store, which the client did not send; a
 * self-signed issuer past the leaf is taken to be one of those and left out.
 */
export function peerCertificates(socket: TLSSocket): Buffer[] {
  // Null once the socket is gone; an empty object when the client sent no certificate.
  const leaf = socket.getPeerCertificate(true) as DetailedPeerCertificate | null;
  if (leaf === null || leaf.raw === undefined) return [];
  const chain: Buffer[] = [leaf.raw];
  let current = leaf;
  while (current.issuerCertificate !== undefined && current.issuerCertificate !== current) {
    const issuer = current.issuerCertificate;
    if (issuer.issuerCertificate === issuer || issuer.raw === undefined) break;
    chain.push(issuer.raw);
    current = issuer;
  }
  return chain;
}
