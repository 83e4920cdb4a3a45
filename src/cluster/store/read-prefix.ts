// Reading a whole prefix page by page, for callers that build a full view and then
// follow changes.
import type { KeyValue, Store } from './store.js';
import { DEFAULT_PAGE_SIZE } from './validate.js';

/**
 * Every key under `prefix`. Pages are read at successive revisions and `revision` is
 * the first page's: watching from `revision + 1` replays whatever changed while paging,
 * so applying those events on top of `kvs` converges on the store's state.
 */
export async function readPrefix(
  store: Store,
  prefix: string,
  pageSize = DEFAULT_PAGE_SIZE,
): Promise<{ kvs: KeyValue[]; revision: number }> {
  const first = await store.list(prefix, { limit: pageSize });
  const kvs = [...first.kvs];
  let more = first.more;
  while (more) {
    const page = await store.list(prefix, { limit: pageSize, startAfter: kvs.at(-1)!.key });
    kvs.push(...page.kvs);
    more = page.more;
  }
  return { kvs, revision: first.revision };
}
