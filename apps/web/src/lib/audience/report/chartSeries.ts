/** One series of a report chart (ReportChart.svelte). */
export interface ChartSeries {
  label: string;
  color: string;
  /** Seconds. */
  x: number[];
  /** Aligned with x; null leaves a gap (lines) or counts as 0 (stacks). */
  values: (number | null)[];
  /** Dashed line, e.g. for a second session. */
  dashed?: boolean;
}
