import type { ClusterTokens } from './cluster-records.js';
import { writeAtomic } from './state-dir.js';

// The join tokens handed over through a file (`--tokensfile`), for Compose and Swarm where
// nobody runs `switchyard env` by hand: control nodes write it on a shared volume once
// the cluster is formed, and data nodes read their token from it (`start-data-node
// --tokenfile`, src/cli/data-node-join.ts). One `NAME=value` line per token, which a shell
// sources and Compose reads as an env_file; tokens hold only letters, digits and dashes,
// so nothing needs quoting.

export const formatTokensFile = (tokens: ClusterTokens): string =>
  `CONTROL_NODE_TOKEN=${tokens.control}\nDATA_NODE_TOKEN=${tokens.data}\n`;

/** Mode 0600 from the start, renamed into place: a reader sees the old file or the new one, whole. */
export const writeTokensFile = (path: string, tokens: ClusterTokens): Promise<void> =>
  writeAtomic(path, formatTokensFile(tokens), 0o600);
