/** Summaries of samples and how the bench prints numbers. */

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The p-th percentile (nearest rank). */
export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

/** Median, smallest and largest of the samples. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export function spread(values: readonly number[]): Spread | null {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return null;
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length };
}

/** Per-repeat ratios a[i] / b[i] of two contenders sampled side by side (same repeat, adjacent in time). */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (b[i]! > 0 && Number.isFinite(a[i]!) && Number.isFinite(b[i]!)) out.push(a[i]! / b[i]!);
  return out;
}

/** Three significant digits, k/M suffixes from 10,000 on. */
export function compact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs === 0) return '0';
  return value.toPrecision(3);
}

/** "median [min–max]" (just the median for one sample). */
export function formatSpread(s: Spread | null, digits: (n: number) => string = compact): string {
  if (!s) return '—';
  return s.n === 1 || s.min === s.max ? digits(s.median) : `${digits(s.median)} [${digits(s.min)}–${digits(s.max)}]`;
}

/** A ratio: "1.52 [1.40–1.61]". */
export const formatRatio = (s: Spread | null): string => formatSpread(s, (n) => (n >= 100 ? compact(n) : n.toFixed(2)));
