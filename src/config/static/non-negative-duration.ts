import { Duration } from '../duration.js';

/** A timeout or interval: a Duration (milliseconds) that cannot run backwards. */
export const NonNegativeDuration = Duration.refine((ms) => ms >= 0, { error: 'must not be negative' });
