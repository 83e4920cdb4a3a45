/**
 * Go's time.Duration.String for a whole number of nanoseconds: "0s", "750ns", "1.5µs",
 * "2.345ms", "1.5s", "1m30s", "1h0m0.5s".
 */
export function formatGoDuration(nanoseconds: number): string {
  let ns = Math.trunc(nanoseconds);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${fraction(ns, 1e3)}µs`;
  if (ns < 1e9) return `${sign}${fraction(ns, 1e6)}ms`;
  const hours = Math.floor(ns / 3.6e12);
  const minutes = Math.floor((ns % 3.6e12) / 6e10);
  const seconds = fraction(ns % 6e10, 1e9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

// `value / unit` with the fraction's trailing zeros dropped, as Go prints it.
function fraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const rest = value % unit;
  if (rest === 0) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}
