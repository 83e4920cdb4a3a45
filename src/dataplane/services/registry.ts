import type { Service, ServiceType } from '../../config/dynamic/index.js';
import type { Result } from '../../config/errors.js';
import { buildFailover, failoverDependencies } from './failover.js';
import { buildLoadBalancer } from './load-balancer.js';
import { buildMirroring, mirroringDependencies } from './mirroring.js';
import type { BuildContext, ServiceNode } from './service-node.js';
import { buildWeighted, weightedDependencies } from './weighted.js';

interface ServiceBuilder<C> {
  /** The services this one refers to, which must be built before it. */
  dependsOn(config: C): readonly string[];
  build(name: string, config: C, ctx: BuildContext): Result<ServiceNode>;
}

type Builders = { readonly [K in ServiceType]: ServiceBuilder<Extract<Service, { type: K }>> };

/** One builder per service kind: a kind without one does not compile. */
export const serviceBuilders: Builders = {
  loadBalancer: { dependsOn: () => [], build: buildLoadBalancer },
  weighted: { dependsOn: weightedDependencies, build: buildWeighted },
  mirroring: { dependsOn: mirroringDependencies, build: buildMirroring },
  failover: { dependsOn: failoverDependencies, build: buildFailover },
};

/** Looks up the builder of a service's kind, keeping the kind and config types together. */
export function builderFor<C extends Service>(config: C): ServiceBuilder<C> {
  return serviceBuilders[config.type] as unknown as ServiceBuilder<C>;
}
