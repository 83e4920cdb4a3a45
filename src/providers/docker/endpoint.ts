const TCP_ENDPOINT = /^(tcp|http|https):\/\/(\[[^\]]+\]|[^:/[\]]+)(?::(\d{1,5}))?\/?$/;

/** Where the Docker API listens, from Traefik's `endpoint` option. */
export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly https: boolean };

/**
 * `unix:///var/run/docker.sock`, or `tcp://host:port` (`http://` and `https://` are read the
 * same way). A tcp endpoint speaks TLS when the `tls` option is set or the scheme is
 * https; its port defaults to Docker's 2376 with TLS and 2375 without. Undefined when the
 * endpoint is none of these (the static configuration refuses those already).
 */
export function parseEndpoint(endpoint: string, withTls: boolean): DockerEndpoint | undefined {
  if (endpoint.startsWith('unix://')) {
    const socketPath = endpoint.slice('unix://'.length);
    return socketPath.startsWith('/') ? { kind: 'unix', socketPath } : undefined;
  }
  const match = TCP_ENDPOINT.exec(endpoint);
  if (!match) return undefined;
  const [, scheme, host, port] = match;
  const https = withTls || scheme === 'https';
  return {
    kind: 'tcp',
    host: host!.replace(/^\[(.*)\]$/, '$1'),
    port: port === undefined ? (https ? 2376 : 2375) : Number(port),
    https,
  };
}
