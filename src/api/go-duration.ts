import { formatGoDuration } from '../config/index.js';

/**
 * A duration in milliseconds as Go's time.Duration.String() writes it, which is how
 * Traefik's API shows every duration: "0s", "250ms", "1.5s", "1m30s", "1h0m0s".
 */
export const goDuration = (ms: number): string => formatGoDuration(Math.round(ms * 1e6));
