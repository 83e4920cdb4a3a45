import {
  CONFIG_PREFIX,
  CONFIG_VERSION_KEY,
  isSealedAcmeKey,
  isSealedConfigKey,
  STREAMED_ACME_PREFIXES,
} from '../cluster/node/index.js';
import { kindPrefix } from '../cluster/store/index.js';

// Which store keys a data node receives: the published configuration, the static documents
// `switchyard apply` deploys, and the ACME manager's certificates and challenge answers.
// The controller's per-resource errors are left out: they are for the API, and a data node
// reports its own.

export const STATIC_PREFIX = kindPrefix('static');
const CONFIG_ERRORS_PREFIX = `${CONFIG_PREFIX}errors/`;

/** Where the streamed keys live: what the control node reads for a snapshot. */
export const STREAMED_PREFIXES: readonly string[] = [CONFIG_PREFIX, STATIC_PREFIX, ...STREAMED_ACME_PREFIXES];

export const isStreamedKey = (key: string): boolean =>
  STREAMED_PREFIXES.some((prefix) => key.startsWith(prefix)) && !key.startsWith(CONFIG_ERRORS_PREFIX);

/** Values encrypted with the data key in the store; opened before they are streamed over mTLS. */
export const isSealedKey = (key: string): boolean => isSealedConfigKey(key) || isSealedAcmeKey(key);

// A configuration is published in several transactions when it is large, the version key
// in the last one. Until that key is written, what is under the config prefix is half old
// and half new, and no data node may be given that.

/** Whether a publication is still being written once a revision that wrote `keys` is in. */
export function publicationOpenAfter(wasOpen: boolean, keys: Iterable<string>): boolean {
  let touched = false;
  for (const key of keys) {
    if (key === CONFIG_VERSION_KEY) return false;
    if (key.startsWith(CONFIG_PREFIX)) touched = true;
  }
  return wasOpen || touched;
}

/**
 * Whether a read of the config prefix caught a publication half-written: a key newer than
 * the version key (or keys without one) was written by a publication whose version key has
 * not landed yet. A publication that so far only deleted keys leaves no such trace; the
 * writer puts before it deletes, so that is one whose every put was a no-op.
 */
export function publicationOpenInRead(
  kvs: Iterable<{ readonly key: string; readonly modRevision: number }>,
): boolean {
  let version = 0;
  let newest = 0;
  for (const { key, modRevision } of kvs) {
    if (key === CONFIG_VERSION_KEY) version = modRevision;
    else if (key.startsWith(CONFIG_PREFIX)) newest = Math.max(newest, modRevision);
  }
  return newest > version;
}
