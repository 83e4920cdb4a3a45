import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError, fail, ok, type Result } from '../errors.js';

export type ListenAddress = { host: string | undefined; port: number };

// Go's net.Listen accepts host names too, so a name is as valid as an IP here.
const HOSTNAME =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Parses an entrypoint address the way Traefik reads it: `[host]:port` with an optional
 * `/tcp` suffix. An empty host (":80") means every interface and comes back undefined.
 */
export function parseAddress(addr: string): Result<ListenAddress> {
  const bad = (why: string): Result<ListenAddress> =>
    fail(new ConfigError('STATIC_INVALID', '', `invalid address ${JSON.stringify(addr)}: ${why}`));

  const slash = addr.indexOf('/');
  const hostPort = slash === -1 ? addr : addr.slice(0, slash);
  if (slash !== -1) {
    const protocol = addr.slice(slash + 1).toLowerCase();
    // Traefik also accepts "/udp"; Switchyard has no UDP routing, so say so rather than listen on TCP.
    if (protocol === 'udp') return bad('UDP entrypoints are not supported');
    if (protocol !== 'tcp') return bad(`unknown protocol ${JSON.stringify(protocol)} (want "tcp")`);
  }

  let host: string;
  let portText: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close === -1) return bad('missing "]" after the IPv6 address');
    if (hostPort[close + 1] !== ':') return bad('missing port');
    host = hostPort.slice(1, close);
    portText = hostPort.slice(close + 2);
    if (!isIPv6(host)) return bad(`${JSON.stringify(host)} is not an IPv6 address`);
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon === -1) return bad('missing port (want e.g. ":80" or "127.0.0.1:8080")');
    host = hostPort.slice(0, colon);
    portText = hostPort.slice(colon + 1);
    if (host.includes(':')) return bad('an IPv6 host needs brackets, e.g. "[::1]:8443"');
    if (host !== '' && !isIPv4(host) && !HOSTNAME.test(host)) {
      return bad(`${JSON.stringify(host)} is not an IP address or host name`);
    }
  }

  if (!/^\d{1,5}$/.test(portText)) return bad('the port must be a number');
  const port = Number(portText);
  if (port > 65535) return bad('the port must be between 0 and 65535');
  return ok({ host: host === '' ? undefined : host, port });
}
