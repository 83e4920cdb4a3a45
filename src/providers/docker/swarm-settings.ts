import { z } from 'zod';
import { ConfigError, fail, ok, type Result } from '../../config/errors.js';
import { decodeSettingLabels } from '../labels/index.js';

// `traefik.enable` and `traefik.swarm.*` on a Swarm service (Traefik's extractSwarmLabels).
// The `traefik.docker.*` spelling still works, as in Traefik, where it is deprecated; the
// two together are refused. `allownonrunning` is accepted under `docker` because Traefik's
// decoder accepts it there, and means nothing to Swarm.
const SwarmLabels = z.strictObject({
  network: z.string().optional(),
  lbSwarm: z.boolean().optional(),
});

const SettingLabels = z.strictObject({
  enable: z.boolean().optional(),
  swarm: SwarmLabels.optional(),
  docker: SwarmLabels.extend({ allowNonRunning: z.boolean().optional() }).optional(),
});

export interface SwarmSettings {
  /** `traefik.enable`, else the provider's exposedByDefault. */
  readonly enable: boolean;
  /** `traefik.swarm.network`, else the provider's network; undefined when neither is set. */
  readonly network: string | undefined;
  /** `traefik.swarm.lbswarm`: route to the service's virtual IP and let Swarm balance. */
  readonly lbSwarm: boolean;
}

export function swarmSettings(
  labels: Readonly<Record<string, string>>,
  defaults: { readonly exposedByDefault: boolean; readonly network: string },
): Result<SwarmSettings> {
  const decoded = decodeSettingLabels(labels, ['enable', 'swarm', 'docker'], SettingLabels);
  if (!decoded.ok) return decoded;
  const { enable, swarm, docker } = decoded.value;
  if (swarm && docker) {
    const detail = 'both traefik.swarm.* and traefik.docker.* labels are set: keep traefik.swarm.* only';
    return fail(new ConfigError('CONFIG_CONFLICT', 'traefik.swarm', detail));
  }
  const own = swarm ?? docker;
  return ok({
    enable: enable ?? defaults.exposedByDefault,
    network: own?.network ?? (defaults.network || undefined),
    lbSwarm: own?.lbSwarm ?? false,
  });
}
