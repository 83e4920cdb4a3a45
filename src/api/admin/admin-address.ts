import type { Member } from '../../cluster/gossip/index.js';

/**
 * The name under which a control node gossips its admin API address (`host:port`), so
 * that any node can find the controller's: `gossip.update({ addresses: { admin: … } })`.
 */
export const ADMIN_ADDRESS = 'admin';

/** Traefik Enterprise's API port, kept so that firewall rules carry over. */
export const DEFAULT_ADMIN_PORT = 55055;

/** The admin API URL of a node that is up and gossips one. */
export function adminUrlOf(members: readonly Member[], nodeId: string | undefined): string | undefined {
  const member = members.find((m) => m.info.id === nodeId);
  if (member === undefined || member.state === 'dead' || member.state === 'left') return undefined;
  const address = member.info.addresses[ADMIN_ADDRESS];
  return address === undefined ? undefined : `https://${address}`;
}
