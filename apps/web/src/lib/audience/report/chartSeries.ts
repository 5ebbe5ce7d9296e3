/**
 * A report chart's data (ReportChart.svelte) and its SVG geometry in data units: x in seconds and
 * y as minus the value (SVG's y grows downwards). The chart maps data units onto its plot with a
 * viewBox, so a resize or a longer time axis rewrites no path: only new data does.
 */

/** One series of a report chart. */
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

/** One layer of a stacked-area chart, as an SVG polygon. */
export interface StackLayer {
  label: string;
  color: string;
  /** The polygon's `points`, in data units. */
  points: string;
}

/** Milliseconds of x and thousandths of y: finer than a pixel on any chart the report draws. */
const point = (t: number, v: number) => `${Math.round(t * 1000) / 1000},${Math.round(-v * 1000) / 1000}`;

/** The SVG path of a line series, broken at nulls. */
export function linePath(series: ChartSeries): string {
  let d = '';
  let pen = false;
  series.x.forEach((t, i) => {
    const v = series.values[i];
    if (v === null || v === undefined) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${point(t, v)}`;
    pen = true;
  });
  return d;
}

/** Stacked areas over the first series' x: layer k spans the sum of the layers below it to that sum plus its own value. */
export function stackLayers(series: readonly ChartSeries[]): StackLayer[] {
  const xs = series[0]?.x ?? [];
  const below = xs.map(() => 0);
  return series.map((s) => {
    const lower = [...below];
    const upper = xs.map((_, i) => (below[i] = (below[i] as number) + (s.values[i] ?? 0)));
    const forward = xs.map((t, i) => point(t, upper[i] as number));
    const back = xs.map((t, i) => point(t, lower[i] as number)).reverse();
    return { label: s.label, color: s.color, points: [...forward, ...back].join(' ') };
  });
}
