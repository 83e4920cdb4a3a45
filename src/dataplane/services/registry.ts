import type { Service, ServiceType } from '../../config/dynamic/index.js';
import { ConfigError, fail } from '../../config/errors.js';
import type { Result } from '../../config/errors.js';
import { buildLoadBalancer } from './load-balancer.js';
import type { BuildContext, ServiceNode } from './service-node.js';
import { buildWeighted, weightedDependencies } from './weighted.js';

interface ServiceBuilder<C> {
  /** The services this one refers to, which must be built before it. */
  dependsOn(config: C): readonly string[];
  build(name: string, config: C, ctx: BuildContext): Result<ServiceNode>;
}

type Builders = { readonly [K in ServiceType]: ServiceBuilder<Extract<Service, { type: K }>> };

const notYet = (kind: ServiceType): ServiceBuilder<unknown> => ({
  dependsOn: () => [],
  build: () => fail(new ConfigError('CONFIG_INVALID', kind, `${kind} services are not supported yet`)),
});

/** One builder per service kind: a kind without one does not compile. */
export const serviceBuilders: Builders = {
  loadBalancer: { dependsOn: () => [], build: buildLoadBalancer },
  weighted: { dependsOn: weightedDependencies, build: buildWeighted },
  mirroring: notYet('mirroring'),
  failover: notYet('failover'),
};

/** Looks up the builder of a service's kind, keeping the kind and config types together. */
export function builderFor<C extends Service>(config: C): ServiceBuilder<C> {
  return serviceBuilders[config.type] as unknown as ServiceBuilder<C>;
}
