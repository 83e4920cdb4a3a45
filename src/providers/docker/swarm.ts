// The Swarm provider's input: what its I/O shell reads from a manager's API (see
// swarm-from-inspect.ts for the mapping), free of any client library. Traefik's Swarm
// provider reads labels from the service, not its containers; it routes to each running
// task's address, or, with `traefik.swarm.lbswarm=true` and endpoint mode `vip`, to the
// service's virtual IP and lets Swarm balance. The defaults, the filters and the label
// grammar are the Docker provider's (src/providers/labels, src/providers/constraints).

/** A Swarm service, from the service list. */
export interface SwarmServiceInfo {
  readonly id: string;
  /** Spec.Name, e.g. `shop_web`. */
  readonly name: string;
  /** Spec.Labels (the `deploy.labels` of a stack file), not the containers' labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Spec.EndpointSpec.Mode; Swarm's default is `vip`. */
  readonly endpointMode: 'vip' | 'dnsrr';
  /** Spec.Mode.Global: its tasks have no slot and are named by task ID. */
  readonly global: boolean;
  /** Endpoint.VirtualIPs; `addr` is CIDR (`10.0.1.5/24`), empty on networks that give no VIP. */
  readonly virtualIps: readonly { readonly networkId: string; readonly addr: string }[];
}

/** A task of a Swarm service, from the task list. */
export interface SwarmTaskInfo {
  readonly id: string;
  readonly serviceId: string;
  /** The replica number; undefined for a global service's tasks. */
  readonly slot: number | undefined;
  /** Status.State: only `running` tasks receive traffic. */
  readonly state: string;
  /** NetworksAttachments, with addresses in CIDR form. */
  readonly networks: readonly { readonly networkId: string; readonly addresses: readonly string[] }[];
}

/** A network of swarm scope, from the network list: attachments name networks by ID. */
export interface SwarmNetworkInfo {
  readonly id: string;
  readonly name: string;
}
