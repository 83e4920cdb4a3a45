// Entries as a control node streams them, for the distribution's tests and benchmark.
import { randomBytes } from 'node:crypto';
import { CONFIG_PREFIX } from '../../../src/cluster/node/index.js';
import type { Entry } from '../../../src/distribution/messages.js';

/** `n` routers with their own service, as the controller publishes them. */
export function routerEntries(n: number): Entry[] {
  return Array.from({ length: n }, (_, i): Entry => [
    `${CONFIG_PREFIX}http/routers/app-${i}@docker`,
    JSON.stringify({
      rule: `Host(\`app-${i}.example.com\`)`,
      service: `app-${i}@docker`,
      entryPoints: ['web'],
    }),
  ]);
}

/**
 * `n` certificate entries of a realistic size (a 2-certificate chain and an EC key, about
 * 4 KiB of PEM); the PEM is filler, not a real certificate, for tests of sizes only.
 */
export function fakeCertificateEntries(n: number): Entry[] {
  const block = (label: string, bytes: number): string => {
    const lines = randomBytes(bytes)
      .toString('base64')
      .match(/.{1,64}/g)!
      .join('\n');
    return `-----BEGIN ${label}-----\n${lines}\n-----END ${label}-----\n`;
  };
  const intermediate = block('CERTIFICATE', 1250);
  return Array.from({ length: n }, (_, i): Entry => {
    const certFile = block('CERTIFICATE', 1250) + intermediate;
    const keyFile = block('PRIVATE KEY', 180);
    return [
      `${CONFIG_PREFIX}tls/certificates/${i.toString(16).padStart(32, '0')}`,
      JSON.stringify({ certFile, keyFile }),
    ];
  });
}
