import type { Duplex } from 'node:stream';

/**
 * Joins an upgraded client connection to the upgraded server connection: bytes flow both
 * ways with backpressure. As in Go's proxy, the tunnel is over as soon as either side is
 * done: once one side's end of stream has been passed on (or either fails or closes),
 * both connections are closed together.
 */
export function tunnel(client: Duplex, upstream: Duplex): void {
  const closeBoth = (): void => {
    client.destroy();
    upstream.destroy();
  };
  for (const side of [client, upstream]) {
    side.on('error', closeBoth).on('close', closeBoth).on('finish', closeBoth);
  }
  client.pipe(upstream);
  upstream.pipe(client);
}
