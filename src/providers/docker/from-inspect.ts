import type { ContainerInfo, ContainerPort } from './container.js';

/** The part of Docker's container inspect document (`GET /containers/{id}/json`) the provider reads. */
export interface DockerInspect {
  readonly Id: string;
  readonly Name: string;
  readonly State?: {
    readonly Running?: boolean;
    readonly Paused?: boolean;
    readonly Health?: { readonly Status?: string } | null;
  } | null;
  readonly Config?: { readonly Labels?: Readonly<Record<string, string>> | null } | null;
  readonly HostConfig?: { readonly NetworkMode?: string } | null;
  readonly NetworkSettings?: {
    readonly Ports?: Readonly<
      Record<string, readonly { readonly HostIp?: string; readonly HostPort?: string }[] | null>
    > | null;
    readonly Networks?: Readonly<
      Record<string, { readonly IPAddress?: string; readonly GlobalIPv6Address?: string } | null>
    > | null;
  } | null;
}

const PORT_KEY = /^(\d+)(?:\/(\w+))?$/;

/**
 * A container as the provider sees it, from its inspect document. Docker writes `null` for
 * many empty parts (labels, ports of a stopped container, bindings of an unpublished
 * port); they read as empty. Port keys that are not `<port>/<protocol>` are skipped. A
 * paused container counts as not running: it accepts connections and never answers them.
 */
export function containerFromInspect(inspect: DockerInspect): ContainerInfo {
  const ports: ContainerPort[] = [];
  for (const [key, bindings] of Object.entries(inspect.NetworkSettings?.Ports ?? {})) {
    const match = PORT_KEY.exec(key);
    if (!match) continue;
    ports.push({
      port: Number(match[1]),
      protocol: (match[2] ?? 'tcp').toLowerCase(),
      bindings: (bindings ?? []).map((b) => ({ hostIp: b.HostIp ?? '', hostPort: b.HostPort ?? '' })),
    });
  }
  const networks: Record<string, { ipv4: string | undefined; ipv6: string | undefined }> = {};
  for (const [name, network] of Object.entries(inspect.NetworkSettings?.Networks ?? {})) {
    networks[name] = { ipv4: network?.IPAddress || undefined, ipv6: network?.GlobalIPv6Address || undefined };
  }
  return {
    id: inspect.Id,
    name: inspect.Name,
    labels: inspect.Config?.Labels ?? {},
    state: {
      running: inspect.State?.Running === true && inspect.State.Paused !== true,
      health: inspect.State?.Health?.Status || undefined,
    },
    networkMode: inspect.HostConfig?.NetworkMode ?? 'default',
    networks,
    ports,
  };
}
