import type { EntryPoint } from './entrypoint-schema.js';

export type StaticIssue = { path: (string | number)[]; message: string };

type Checked = {
  entryPoints: Record<string, EntryPoint>;
  ping?: { entryPoint: string; manualRouting: boolean } | undefined;
  metrics?: { prometheus?: { entryPoint: string; manualRouting: boolean } | undefined } | undefined;
  certificatesResolvers?: Record<string, { acme: { httpChallenge?: { entryPoint: string } | undefined } }>;
};

const WILDCARD_HOSTS = new Set([undefined, '0.0.0.0', '::']);

/**
 * Checks that span sections: names that must refer to an entrypoint, and two entrypoints
 * that would bind the same port. `implicit` names the entrypoints Switchyard added itself.
 */
export function crossCheck(config: Checked, implicit: readonly string[]): StaticIssue[] {
  const issues: StaticIssue[] = [];
  const exists = (name: string): boolean => Object.hasOwn(config.entryPoints, name);

  if (config.ping !== undefined && !config.ping.manualRouting && !exists(config.ping.entryPoint)) {
    issues.push({
      path: ['ping', 'entryPoint'],
      message: `unknown entrypoint ${JSON.stringify(config.ping.entryPoint)}`,
    });
  }
  const prometheus = config.metrics?.prometheus;
  if (prometheus !== undefined && !prometheus.manualRouting && !exists(prometheus.entryPoint)) {
    issues.push({
      path: ['metrics', 'prometheus', 'entryPoint'],
      message: `unknown entrypoint ${JSON.stringify(prometheus.entryPoint)}`,
    });
  }

  for (const [name, resolver] of Object.entries(config.certificatesResolvers ?? {})) {
    const entryPoint = resolver.acme.httpChallenge?.entryPoint;
    if (entryPoint !== undefined && !exists(entryPoint)) {
      issues.push({
        path: ['certificatesResolvers', name, 'acme', 'httpChallenge', 'entryPoint'],
        message: `unknown entrypoint ${JSON.stringify(entryPoint)}`,
      });
    }
  }

  const bound: { name: string; host: string | undefined; port: number }[] = [];
  for (const [name, entryPoint] of Object.entries(config.entryPoints)) {
    const to = entryPoint.http.redirections?.entryPoint?.to;
    if (to !== undefined) {
      const path = ['entryPoints', name, 'http', 'redirections', 'entryPoint', 'to'];
      const port = /^:(\d{1,5})$/.exec(to);
      if (port !== null) {
        if (Number(port[1]) > 65535) issues.push({ path, message: `invalid port ${JSON.stringify(to)}` });
      } else if (to === name) {
        issues.push({ path, message: 'an entrypoint cannot redirect to itself' });
      } else if (!exists(to)) {
        issues.push({
          path,
          message: `unknown entrypoint ${JSON.stringify(to)} (want an entrypoint name or ":port")`,
        });
      }
    }

    // Port 0 asks the kernel for a free port, so it never collides.
    const clash = bound.find(
      (other) =>
        entryPoint.port !== 0 &&
        other.port === entryPoint.port &&
        (other.host === entryPoint.host ||
          WILDCARD_HOSTS.has(other.host) ||
          WILDCARD_HOSTS.has(entryPoint.host)),
    );
    if (clash !== undefined) {
      // An implicit entrypoint has no source to blame; the user's entrypoint it collides with does.
      issues.push(
        implicit.includes(name)
          ? {
              path: ['entryPoints', clash.name, 'address'],
              message: `port ${entryPoint.port} is also the port of the implicit ${JSON.stringify(name)} entrypoint (see docs/static-configuration.md); define entryPoints.${name} to choose its address`,
            }
          : {
              path: ['entryPoints', name, 'address'],
              message: `port ${entryPoint.port} is already used by entrypoint ${JSON.stringify(clash.name)}`,
            },
      );
    }
    bound.push({ name, host: entryPoint.host, port: entryPoint.port });
  }
  return issues;
}
