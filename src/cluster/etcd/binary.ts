import { execFile } from 'node:child_process';
import { etcdEnv } from './command-line.js';
import { EtcdError } from './errors.js';
import { checkEtcdVersion, parseEtcdVersion, type EtcdVersion } from './version.js';

const PROBE_TIMEOUT_MS = 5000;

/**
 * Runs `<binary> --version` and checks it: a missing or unusable binary is
 * ETCD_BINARY_MISSING, an old or unrecognised one ETCD_VERSION_UNSUPPORTED. `binary`
 * is a path or a name looked up on PATH.
 */
export async function probeEtcdBinary(binary: string): Promise<EtcdVersion> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      binary,
      ['--version'],
      { timeout: PROBE_TIMEOUT_MS, env: etcdEnv(process.env, process.arch) },
      (err, stdout, stderr) => {
        if (err === null) return resolve(`${stdout}\n${stderr}`);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES') {
          return reject(
            new EtcdError(
              'ETCD_BINARY_MISSING',
              binary,
              code === 'ENOENT'
                ? 'not found: install etcd 3.4 or later (Debian: etcd-server) or point --etcd.binary at it'
                : 'not executable',
              { cause: err },
            ),
          );
        }
        reject(
          new EtcdError('ETCD_VERSION_UNSUPPORTED', binary, `\`--version\` failed: ${err.message}`, {
            cause: err,
          }),
        );
      },
    );
  });
  const checked = checkEtcdVersion(parseEtcdVersion(output), binary, output);
  if (checked instanceof EtcdError) throw checked;
  return checked;
}
