import { execFile } from 'node:child_process';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';
import type { DnsRecord } from '../acme-records.js';
import { envSeconds, type DnsProvider, type Env } from './dns-provider.js';

// lego's `exec` provider: runs EXEC_PATH with `present|cleanup <fqdn> <value>`, or in
// EXEC_MODE=RAW with `present|cleanup -- <domain> <token> <keyAuth>`. A non-zero exit is a
// failure, reported with what the program wrote to stderr.

const PATH = 'certificatesResolvers.dnsChallenge.provider';
const OUTPUT_LIMIT = 64 * 1024;

export function execProvider(env: Env): Result<DnsProvider> {
  const program = env.EXEC_PATH?.trim();
  if (program === undefined || program === '') {
    return fail(
      new ConfigError('STATIC_INVALID', PATH, 'provider exec needs EXEC_PATH (the program to run)'),
    );
  }
  const raw = env.EXEC_MODE?.trim().toUpperCase() === 'RAW';
  const timeoutMs = envSeconds(env, 'EXEC_PROPAGATION_TIMEOUT', 60_000);
  const run = (action: 'present' | 'cleanup', record: DnsRecord, signal: AbortSignal): Promise<void> => {
    const args = raw
      ? [action, '--', record.domain, record.token, record.keyAuthorization]
      : [action, record.fqdn, record.value];
    return new Promise((resolve, reject) => {
      execFile(
        program,
        args,
        { timeout: timeoutMs, signal, maxBuffer: OUTPUT_LIMIT },
        (err, _stdout, stderr) => {
          if (err === null) return resolve();
          const why = stderr.trim() || err.message;
          reject(
            new ConfigError('ACME_CHALLENGE', PATH, `exec ${program} ${action} failed: ${why}`, {
              cause: err,
            }),
          );
        },
      );
    });
  };
  return ok({
    present: (record, signal) => run('present', record, signal),
    cleanup: (record, signal) => run('cleanup', record, signal),
  });
}
