// The Swarm provider's input, declared ahead of that provider (not built yet) so that the
// Docker and Swarm translators share one vocabulary. Traefik's Swarm provider reads labels
// from the service, not its containers; it routes to each running task's address, or, with
// `traefik.swarm.lbswarm=true` and endpoint mode `vip`, to the service's virtual IP and
// lets Swarm balance. The defaults, the filters and the label grammar are the Docker
// provider's (src/providers/labels, src/providers/constraints).

/** A Swarm service, from `docker service inspect`. */
export interface SwarmServiceInfo {
  readonly id: string;
  /** Spec.Name, e.g. `shop_web`. */
  readonly name: string;
  /** Spec.Labels (the `deploy.labels` of a stack file), not the containers' labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Endpoint.Spec.Mode. */
  readonly endpointMode: 'vip' | 'dnsrr';
  /** Endpoint.VirtualIPs with the network resolved to its name; `addr` is CIDR (`10.0.1.5/24`). */
  readonly virtualIps: readonly { readonly network: string; readonly addr: string }[];
}

/** A task of a Swarm service, from the task list. */
export interface SwarmTaskInfo {
  readonly id: string;
  readonly serviceId: string;
  /** Status.State: only `running` tasks receive traffic. */
  readonly state: string;
  /** NetworksAttachments, by network name, with addresses in CIDR form. */
  readonly networks: Readonly<Record<string, readonly string[]>>;
}
