import type { StoreError } from './errors.js';
import type { Watch, WatchChange } from './store.js';

/** A watch on a closed store: it reports `error` once, later, unless cancelled first. */
export function failedWatch(error: StoreError, onChange: (change: WatchChange) => void): Watch {
  let cancelled = false;
  queueMicrotask(() => {
    if (!cancelled) onChange({ type: 'error', error });
  });
  return { cancel: () => void (cancelled = true) };
}
