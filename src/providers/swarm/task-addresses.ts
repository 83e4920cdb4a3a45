import {
  inBatches,
  swarmTaskFromDocument,
  type DockerApi,
  type SwarmNetworkInfo,
  type SwarmTaskDocument,
  type SwarmTaskInfo,
} from '../docker/index.js';

const INSPECT_BATCH = 16;

/**
 * The tasks, with the addresses Swarm leaves out filled in where this node can see them.
 * Swarm allocates addresses on overlay networks and lists them in the task; a swarm-scope
 * network of a local driver (`bridge`, `macvlan`, `ipvlan`, created with
 * `--scope swarm`) gets its address from the node instead, and the task lists none.
 * Traefik then skips the task. Here a running task with such an attachment has its
 * container inspected, when the container is on this node, for the address it really has.
 */
export async function tasksWithAddresses(
  api: DockerApi,
  documents: readonly SwarmTaskDocument[],
  networks: readonly SwarmNetworkInfo[],
): Promise<SwarmTaskInfo[]> {
  const names = new Map(networks.map((n) => [n.id, n.name]));
  return inBatches(documents, INSPECT_BATCH, async (document) => {
    const task = swarmTaskFromDocument(document);
    const containerId = document.Status?.ContainerStatus?.ContainerID;
    const missing = task.networks.some((n) => n.addresses.length === 0 && names.has(n.networkId));
    if (task.state !== 'running' || !containerId || !missing) return task;
    const container = await api.inspectContainer(containerId);
    if (container === undefined) return task; // on another node
    const attached = container.NetworkSettings?.Networks ?? {};
    return {
      ...task,
      networks: task.networks.map((n) => {
        const address = attached[names.get(n.networkId) ?? '']?.IPAddress;
        return n.addresses.length === 0 && address ? { ...n, addresses: [address] } : n;
      }),
    };
  });
}
