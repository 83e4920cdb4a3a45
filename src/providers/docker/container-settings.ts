import { z } from 'zod';
import { ok, type Result } from '../../config/errors.js';
import { decodeSettingLabels } from '../labels/index.js';

// `traefik.enable` and the `traefik.docker.*` labels: how the provider treats a container,
// rather than what it routes. `lbswarm` is accepted because Traefik's Docker provider
// accepts it too; it only means something to Swarm.
const SettingLabels = z.strictObject({
  enable: z.boolean().optional(),
  docker: z
    .strictObject({
      network: z.string().optional(),
      allowNonRunning: z.boolean().optional(),
      lbSwarm: z.boolean().optional(),
    })
    .optional(),
});

export interface ContainerSettings {
  /** `traefik.enable`, else the provider's exposedByDefault. */
  readonly enable: boolean;
  /** `traefik.docker.network`, else the provider's network; undefined when neither is set. */
  readonly network: string | undefined;
  /** `traefik.docker.allownonrunning`: route to the container even when it is stopped (503). */
  readonly allowNonRunning: boolean;
}

export function containerSettings(
  labels: Readonly<Record<string, string>>,
  defaults: { readonly exposedByDefault: boolean; readonly network: string | undefined },
): Result<ContainerSettings> {
  const decoded = decodeSettingLabels(labels, ['enable', 'docker'], SettingLabels);
  if (!decoded.ok) return decoded;
  const { enable, docker } = decoded.value;
  return ok({
    enable: enable ?? defaults.exposedByDefault,
    network: docker?.network ?? (defaults.network || undefined),
    allowNonRunning: docker?.allowNonRunning ?? false,
  });
}
