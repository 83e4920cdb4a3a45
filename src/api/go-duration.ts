const NS_PER_MS = 1e6;
const NS_PER_S = 1e9;
const NS_PER_M = 60 * NS_PER_S;
const NS_PER_H = 60 * NS_PER_M;

/**
 * A duration in milliseconds as Go's time.Duration.String() writes it, which is how
 * Traefik's API shows every duration: "0s", "250ms", "1.5s", "1m30s", "1h0m0s".
 */
export function goDuration(ms: number): string {
  let ns = Math.round(ms * NS_PER_MS);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  if (ns < NS_PER_S) {
    if (ns < 1e3) return `${sign}${ns}ns`;
    if (ns < NS_PER_MS) return `${sign}${fraction(ns, 1e3)}µs`;
    return `${sign}${fraction(ns, NS_PER_MS)}ms`;
  }
  const hours = Math.floor(ns / NS_PER_H);
  const minutes = Math.floor((ns % NS_PER_H) / NS_PER_M);
  const seconds = fraction(ns % NS_PER_M, NS_PER_S);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** `value / unit` with the digits it needs and no trailing zeros, as Go's fmtFrac. */
function fraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const rest = value % unit;
  if (rest === 0) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}
