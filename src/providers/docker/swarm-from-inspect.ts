import type { SwarmNetworkInfo, SwarmServiceInfo, SwarmTaskInfo } from './swarm.js';

// The parts of the Swarm API documents the provider reads: `GET /services`, `GET /tasks`
// and `GET /networks`. Docker writes `null` for many empty parts; they read as empty.

export interface SwarmServiceDocument {
  readonly ID: string;
  readonly Spec?: {
    readonly Name?: string;
    readonly Labels?: Readonly<Record<string, string>> | null;
    readonly Mode?: { readonly Global?: object | null } | null;
    readonly EndpointSpec?: { readonly Mode?: string } | null;
  } | null;
  readonly Endpoint?: {
    readonly VirtualIPs?: readonly { readonly NetworkID?: string; readonly Addr?: string }[] | null;
  } | null;
  /** The last rolling update's progress (`updating`, `completed`, `rollback_started`…); absent before the first. */
  readonly UpdateStatus?: { readonly State?: string } | null;
}

export interface SwarmTaskDocument {
  readonly ID: string;
  readonly ServiceID?: string;
  readonly Slot?: number;
  readonly Status?: {
    readonly State?: string;
    /** Set once the task has a container, on whichever node runs it. */
    readonly ContainerStatus?: { readonly ContainerID?: string } | null;
  } | null;
  readonly NetworksAttachments?:
    | readonly {
        readonly Network?: { readonly ID?: string } | null;
        readonly Addresses?: readonly string[] | null;
      }[]
    | null;
}

export interface NetworkDocument {
  readonly Id: string;
  readonly Name: string;
}

export function swarmServiceFromDocument(service: SwarmServiceDocument): SwarmServiceInfo {
  return {
    id: service.ID,
    name: service.Spec?.Name ?? service.ID,
    labels: service.Spec?.Labels ?? {},
    endpointMode: service.Spec?.EndpointSpec?.Mode === 'dnsrr' ? 'dnsrr' : 'vip',
    global: service.Spec?.Mode?.Global != null,
    virtualIps: (service.Endpoint?.VirtualIPs ?? []).map((vip) => ({
      networkId: vip.NetworkID ?? '',
      addr: vip.Addr ?? '',
    })),
  };
}

export function swarmTaskFromDocument(task: SwarmTaskDocument): SwarmTaskInfo {
  return {
    id: task.ID,
    serviceId: task.ServiceID ?? '',
    slot: task.Slot || undefined,
    state: task.Status?.State ?? '',
    networks: (task.NetworksAttachments ?? []).map((attachment) => ({
      networkId: attachment.Network?.ID ?? '',
      addresses: attachment.Addresses ?? [],
    })),
  };
}

export const swarmNetworkFromDocument = (network: NetworkDocument): SwarmNetworkInfo => ({
  id: network.Id,
  name: network.Name,
});
