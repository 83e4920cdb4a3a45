// The Docker provider's input: what its I/O shell reads from the Docker API (see
// containerFromInspect for the mapping from `docker inspect`), free of any client library.

/** One container, as the Docker API describes it. */
export interface ContainerInfo {
  /** The full container ID. */
  readonly id: string;
  /**
   * The engine it was read from (`unix:///var/run/docker.sock`), set when the provider reads
   * several: errors then name `<endpoint>/<container>`, and `container:` network modes
   * resolve within that engine only.
   */
  readonly endpoint?: string;
  /** The name as Docker reports it, usually with a leading slash: `/shop-web-1`. */
  readonly name: string;
  /**
   * What the automatic service is named after when Compose labels do not say: the container
   * name when undefined. A Swarm task (named `<service>.<slot>`) gives its service's name, so
   * that replicas share one load balancer.
   */
  readonly serviceName?: string;
  /**
   * All its labels: `traefik.*`, and the `com.docker.compose.project` and
   * `com.docker.compose.service` labels that Compose sets, which name the container's service.
   */
  readonly labels: Readonly<Record<string, string>>;
  readonly state: ContainerState;
  /** HostConfig.NetworkMode: `bridge`, `host`, `none`, `default`, `container:<id>` or a network name. */
  readonly networkMode: string;
  /** NetworkSettings.Networks, by network name. */
  readonly networks: Readonly<Record<string, ContainerNetwork>>;
  /** NetworkSettings.Ports: every exposed port, with its host bindings when published. */
  readonly ports: readonly ContainerPort[];
}

export interface ContainerState {
  readonly running: boolean;
  /** State.Health.Status (`starting`, `healthy`, `unhealthy`); undefined without a healthcheck. */
  readonly health: string | undefined;
}

export interface ContainerNetwork {
  /** IPAddress; empty or undefined when the network gives none. */
  readonly ipv4: string | undefined;
  /** GlobalIPv6Address, used only when there is no IPv4 address, as in Traefik. */
  readonly ipv6: string | undefined;
}

export interface ContainerPort {
  readonly port: number;
  readonly protocol: string;
  /** Host bindings; empty when the port is exposed but not published. */
  readonly bindings: readonly PortBinding[];
}

export interface PortBinding {
  /** The host address bound; `0.0.0.0`, `::` or empty mean every address. */
  readonly hostIp: string;
  readonly hostPort: string;
}
