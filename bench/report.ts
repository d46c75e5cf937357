/**
 * Benchmarks print one machine-readable line at the end, which `npm run bench` (bench/run-all.ts) collects
 * into docs/performance.md. Every figure stands beside a baseline measured in the same run.
 */
export interface BenchRow {
  /** What was measured, e.g. "HTTP ingest". */
  metric: string;
  value: number;
  unit: string;
  /** The in-run baseline it is compared with, e.g. "raw driver bulkWrite". */
  baselineLabel: string;
  baseline: number;
  /** value / baseline, or the inverse when lower is better: always "how close to the baseline", 1 = equal. */
  ratio: number;
  goal?: string;
}

export interface BenchResult {
  bench: string;
  parameters: Record<string, string | number>;
  rows: BenchRow[];
  /** Peak RSS of the bench process (for benches that run the app in-process: app, driver and generator together). */
  peakRssMiB: number;
  /** Peak RSS by process or phase when measured apart, e.g. { 'server (overlap)': 180, 'load generator': 420 }. */
  rssMiB?: Record<string, number>;
}

export const RESULT_PREFIX = 'BENCH_RESULT ';

export function reportResult(result: Omit<BenchResult, 'peakRssMiB'>): void {
  const full: BenchResult = { ...result, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(full)}\n`);
}
