import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeError } from './errors.js';
import { NodeSecrets, writeAtomic } from './state-dir.js';

// The operator's copy of the data key, which `bootstrap` writes beside the admin
// credentials: one base64 key per line, primary first. A backup is useless without it,
// and `bootstrap --archivepath` reads it back.

export const DATA_KEY_FILE = 'data-key';

export const writeDataKeyFile = (dir: string, dataKeys: readonly string[]): Promise<void> =>
  writeAtomic(join(dir, DATA_KEY_FILE), `${dataKeys.join('\n')}\n`, 0o600);

/** The key ring a data key file holds; NODE_STATE_INVALID, naming the line, when it is not one. */
export async function readDataKeyFile(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch((err: Error) => {
    throw new NodeError('NODE_STATE_INVALID', path, `cannot be read: ${err.message}`, { cause: err });
  });
  const lines = text.split('\n').map((line, i) => ({ key: line.trim(), line: i + 1 }));
  const keys = lines.filter((l) => l.key !== '');
  const parsed = NodeSecrets.shape.dataKeys.safeParse(keys.map((l) => l.key));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = typeof issue.path[0] === 'number' ? `:line ${keys[issue.path[0]]!.line}` : '';
    throw new NodeError('NODE_STATE_INVALID', `${path}${at}`, `${issue.message} (a data key file)`);
  }
  return parsed.data;
}
