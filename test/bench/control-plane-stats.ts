// The figures the control-plane benches print: p50 and max over the runs, as
// docs/performance.md reports them.

/** The nearest-rank percentile of values sorted ascending. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

export function summarize(values: readonly number[]): { n: number; p50: number; max: number; min: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}

export const formatSummary = (label: string, values: readonly number[]): string => {
  if (values.length === 0) return `${label}: no runs`;
  const s = summarize(values);
  return `${label}: p50 ${Math.round(s.p50)} ms, max ${Math.round(s.max)} ms (min ${Math.round(s.min)} ms, ${s.n} runs)`;
};
