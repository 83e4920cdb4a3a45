// The HdrHistogram oxy records latencies in: values in microseconds from 1 to one hour,
// two significant figures. Values fall into equivalence ranges (exact below 256, then
// ranges of 2^k), and quantiles answer with the top of a range, as hdrhistogram-go does.

const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 7; // log2(256) - 1, from 2 significant figures
const SUB_BUCKET_HALF_COUNT = 128;
const SUB_BUCKET_COUNT = 256;
/** One hour in microseconds: larger values are dropped, as RecordValues refuses them. */
export const HIGHEST_TRACKABLE_US = 3_600_000_000;

function bucketIndexOf(value: number): number {
  // Go: bits.Len64(value | subBucketMask) - (subBucketHalfCountMagnitude + 1); values go
  // past 32 bits, beyond JavaScript's bitwise operators.
  return bitLength(Math.max(value, SUB_BUCKET_COUNT - 1)) - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1);
}

function bitLength(value: number): number {
  return value === 0 ? 0 : Math.floor(Math.log2(value)) + 1;
}

function countsIndexOf(value: number): number {
  const bucket = bucketIndexOf(value);
  const subBucket = Math.floor(value / 2 ** bucket);
  return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (subBucket - SUB_BUCKET_HALF_COUNT);
}

/** The lowest value of the range a counts index stands for. */
function valueFromCountsIndex(index: number): number {
  let bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  let subBucket = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    subBucket -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return subBucket * 2 ** bucket;
}

function highestEquivalentValue(value: number): number {
  const bucket = bucketIndexOf(value);
  const subBucket = Math.floor(value / 2 ** bucket);
  const lowest = subBucket * 2 ** bucket;
  const size = 2 ** (subBucket >= SUB_BUCKET_COUNT ? bucket + 1 : bucket);
  return lowest + size - 1;
}

export class HdrHistogram {
  /** Counts by counts index; sparse, as latencies cluster. */
  readonly counts = new Map<number, number>();
  total = 0;

  record(valueUs: number): void {
    const value = Math.trunc(valueUs);
    if (value < 0 || value > HIGHEST_TRACKABLE_US) return;
    const index = countsIndexOf(value);
    this.counts.set(index, (this.counts.get(index) ?? 0) + 1);
    this.total++;
  }

  add(other: HdrHistogram): void {
    for (const [index, count] of other.counts) this.counts.set(index, (this.counts.get(index) ?? 0) + count);
    this.total += other.total;
  }

  reset(): void {
    this.counts.clear();
    this.total = 0;
  }

  /** hdrhistogram-go's ValueAtQuantile, `quantile` in percent (50 is the median). */
  valueAtQuantile(quantile: number): number {
    if (this.total === 0) return 0;
    const q = Math.min(quantile, 100);
    const wanted = Math.trunc((q / 100) * this.total + 0.5);
    // The scan starts at value 0: a target of 0 is met there, whatever was recorded.
    if (wanted <= 0) return 0;
    let seen = 0;
    for (const index of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(index)!;
      if (seen >= wanted) {
        const value = valueFromCountsIndex(index);
        return q === 0 ? value : highestEquivalentValue(value);
      }
    }
    return 0;
  }
}

/**
 * oxy's RollingHDRHistogram: `buckets` histograms, a new one started (the oldest cleared)
 * when a value comes `periodMs` or more after the last rotation; quantiles read them all.
 */
export class RollingHistogram {
  readonly #buckets: HdrHistogram[];
  #index = 0;
  #lastRoll = Number.NEGATIVE_INFINITY;

  constructor(
    buckets: number = 6,
    private readonly periodMs: number = 10_000,
  ) {
    this.#buckets = Array.from({ length: buckets }, () => new HdrHistogram());
  }

  record(now: number, valueUs: number): void {
    if (now - this.#lastRoll >= this.periodMs) {
      this.#index = (this.#index + 1) % this.#buckets.length;
      this.#buckets[this.#index]!.reset();
      this.#lastRoll = now;
    }
    this.#buckets[this.#index]!.record(valueUs);
  }

  merged(): HdrHistogram {
    const merged = new HdrHistogram();
    for (const bucket of this.#buckets) merged.add(bucket);
    return merged;
  }

  reset(now: number): void {
    this.#index = 0;
    this.#lastRoll = now;
    for (const bucket of this.#buckets) bucket.reset();
  }
}
