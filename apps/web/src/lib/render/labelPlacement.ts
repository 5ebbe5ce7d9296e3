/**
 * Where the box labels go. Labels of close faces used to overprint each other ("1 happy 92%" over
 * "2 surprise 89%") and a face at the top edge pushed its label over another's. Each label tries
 * the places a reader looks for it first (above its box, below it, inside its top and bottom
 * edges), kept inside the frame; the first one that covers neither a label nor another face wins,
 * else the first that covers no label. When all are taken, it is the nearest free place scanning
 * the frame. Labels never overlap each other and never leave the frame, as long
 * as the frame has room for all of them (it always has for a handful of faces).
 */

/** An axis-aligned rectangle, in canvas pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), Math.max(low, high));

/**
 * Top-left corners for labels of sizes `sizes[i]` belonging to `boxes[i]` (both in the frame's
 * pixels, already mirrored if the view is), in a `frameWidth` x `frameHeight` frame. Placed in
 * order: earlier faces get the better spots.
 */
export function placeLabels(
  boxes: readonly Rect[],
  sizes: readonly { width: number; height: number }[],
  frameWidth: number,
  frameHeight: number,
): Rect[] {
  const placed: Rect[] = [];
  boxes.forEach((box, i) => {
    const { width, height } = sizes[i] ?? { width: 0, height: 0 };
    const x = clamp(box.x, 0, frameWidth - width);
    const inFrame = (y: number): Rect => ({ x, y: clamp(y, 0, frameHeight - height), width, height });
    const preferred = [box.y - height, box.y + box.height, box.y, box.y + box.height - height].map(inFrame);
    const free = (r: Rect) => placed.every((p) => !overlaps(p, r));
    const clear = (r: Rect) => free(r) && boxes.every((other, j) => j === i || !overlaps(other, r));
    const first = inFrame(box.y - height);
    placed.push(preferred.find(clear) ?? preferred.find(free) ?? nearestFree(first, placed, frameWidth, frameHeight) ?? first);
  });
  return placed;
}

/** The free spot closest to `wanted`: positions next to every placed label's edges, inside the frame. */
function nearestFree(wanted: Rect, placed: readonly Rect[], frameWidth: number, frameHeight: number): Rect | undefined {
  const { width, height } = wanted;
  const xs = new Set([wanted.x, 0, frameWidth - width, ...placed.flatMap((p) => [p.x + p.width, p.x - width])]);
  const ys = new Set([wanted.y, 0, frameHeight - height, ...placed.flatMap((p) => [p.y + p.height, p.y - height])]);
  let best: Rect | undefined;
  let bestDistance = Infinity;
  for (const x of xs) {
    for (const y of ys) {
      if (x < 0 || y < 0 || x + width > frameWidth || y + height > frameHeight) continue;
      const r = { x, y, width, height };
      if (!placed.every((p) => !overlaps(p, r))) continue;
      const distance = Math.hypot(x - wanted.x, y - wanted.y);
      if (distance < bestDistance) {
        best = r;
        bestDistance = distance;
      }
    }
  }
  return best;
}

/** WCAG relative luminance of a '#rrggbb' colour. */
export function relativeLuminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** WCAG contrast ratio of two '#rrggbb' colours (1..21). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
