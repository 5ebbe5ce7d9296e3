/**
 * Where a chart's marker labels go so that they never overlap: each label sits centred on its
 * marker's line (pulled inside the plot at the edges), in the first row where it clears the labels
 * already placed. When that would take more rows than allowed, labels shrink to the markers'
 * numbers (the report lists the numbers with their full labels under the charts).
 */

/** A marker to label, in chart pixels. */
export interface MarkerSpot {
  x: number;
  /** Full text, e.g. "2 Punch line". */
  text: string;
  /** Short text used when the full ones don't fit, e.g. "2". */
  short: string;
}

export interface PlacedLabel {
  x: number;
  /** Left edge of the label's text, pixels. */
  left: number;
  width: number;
  row: number;
  text: string;
}

export interface MarkerLayoutOptions {
  /** Width of the plot, pixels: labels stay within [0, width]. */
  width: number;
  /** Average character width, pixels. Default 6.5 (11 px system-ui). */
  charWidth?: number;
  /** Space between two labels in a row, pixels. Default 4. */
  gap?: number;
  /** Rows allowed before labels shrink to numbers. Default 2. */
  maxRows?: number;
  /** Longest full label, characters (longer ones end in "…"). Default 22. */
  maxChars?: number;
}

/** Greedy row assignment of labels of the given texts; returns undefined when more than `maxRows` rows would be needed. */
function place(
  spots: readonly MarkerSpot[],
  texts: readonly string[],
  o: Required<MarkerLayoutOptions>,
  rowLimit: number,
): PlacedLabel[] | undefined {
  const rowEnds: number[] = [];
  const placed: PlacedLabel[] = [];
  const order = spots.map((s, i) => ({ s, i })).sort((a, b) => a.s.x - b.s.x);
  for (const { s, i } of order) {
    const text = texts[i] as string;
    const width = Math.min(o.width, text.length * o.charWidth);
    const left = Math.max(0, Math.min(o.width - width, s.x - width / 2));
    let row = rowEnds.findIndex((end) => end + o.gap <= left);
    if (row === -1) {
      if (rowEnds.length >= rowLimit) return undefined;
      row = rowEnds.length;
      rowEnds.push(Number.NEGATIVE_INFINITY);
    }
    rowEnds[row] = left + width;
    placed[i] = { x: s.x, left, width, row, text };
  }
  return placed;
}

/** Places every marker's label; full texts when they fit in `maxRows` rows, else the short ones in as many rows as needed. */
export function layoutMarkerLabels(spots: readonly MarkerSpot[], options: MarkerLayoutOptions): { labels: PlacedLabel[]; rows: number } {
  const o: Required<MarkerLayoutOptions> = { charWidth: 6.5, gap: 4, maxRows: 2, maxChars: 22, ...options };
  const clip = (t: string) => (t.length > o.maxChars ? `${t.slice(0, o.maxChars - 1)}…` : t);
  const full = place(
    spots,
    spots.map((s) => clip(s.text)),
    o,
    o.maxRows,
  );
  // Without a row limit every label finds a row, so the fallback is never undefined.
  const labels: PlacedLabel[] =
    full ??
    place(
      spots,
      spots.map((s) => s.short),
      o,
      Number.POSITIVE_INFINITY,
    ) ??
    [];
  return { labels, rows: labels.reduce((n, l) => Math.max(n, l.row + 1), 0) };
}

/** Whether two placed labels overlap (same row and intersecting spans); for tests and assertions. */
export function overlaps(a: PlacedLabel, b: PlacedLabel): boolean {
  return a.row === b.row && a.left < b.left + b.width && b.left < a.left + a.width;
}
