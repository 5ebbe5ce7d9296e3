import { cropRegion, type Expression, type FaceBox } from '@fer/core';
import type { Saliency } from '../pipeline/analyze';
import { mirrorBox } from './geometry';
import { heatmapRgba } from './heatmap';
import { EXPRESSION_COLORS } from './palette';

/** What the overlay shows for one face, in frame pixels. */
export interface OverlayFace {
  box: FaceBox;
  expression: Expression;
  confidence: number;
  /** Shown before the label when there are several faces, to match the bar charts. */
  number?: number;
  saliency?: Saliency | undefined;
}

export interface OverlayOptions {
  /** Draw as seen in a mirrored preview (boxes flipped, text readable). */
  mirrored: boolean;
  /** Canvas pixels per CSS pixel, so lines and text keep their on-screen size at any resolution. */
  scale: number;
}

const heatmaps = new WeakMap<Saliency, HTMLCanvasElement>();

/** The saliency map as a small canvas, made once per map and scaled up by drawImage. */
function heatmapCanvas(saliency: Saliency): HTMLCanvasElement {
  let canvas = heatmaps.get(saliency);
  if (canvas === undefined) {
    canvas = document.createElement('canvas');
    canvas.width = saliency.width;
    canvas.height = saliency.height;
    canvas.getContext('2d')?.putImageData(new ImageData(heatmapRgba(saliency.values), saliency.width, saliency.height), 0, 0);
    heatmaps.set(saliency, canvas);
  }
  return canvas;
}

function drawHeatmap(ctx: CanvasRenderingContext2D, face: OverlayFace, saliency: Saliency, mirrored: boolean): void {
  const region = cropRegion(face.box, saliency.margin);
  const frameWidth = ctx.canvas.width;
  ctx.save();
  ctx.imageSmoothingEnabled = true;
  if (mirrored) {
    // Flip the map with the video so the hot spots stay on the same eye and mouth corner.
    ctx.translate(frameWidth, 0);
    ctx.scale(-1, 1);
  }
  ctx.drawImage(heatmapCanvas(saliency), region.x, region.y, region.width, region.height);
  ctx.restore();
}

function drawLabel(ctx: CanvasRenderingContext2D, face: OverlayFace, box: FaceBox, scale: number): void {
  const text = `${face.number === undefined ? '' : `${face.number}  `}${face.expression} ${Math.round(face.confidence * 100)}%`;
  const fontPx = Math.round(22 * scale);
  const padding = Math.round(6 * scale);
  ctx.font = `600 ${fontPx}px system-ui, sans-serif`;
  const width = ctx.measureText(text).width + 2 * padding;
  const height = fontPx + 2 * padding;
  const x = Math.min(Math.max(0, box.x), ctx.canvas.width - width);
  // Above the box when there is room, else just inside its top edge.
  const y = box.y - height >= 0 ? box.y - height : Math.max(0, box.y);
  ctx.fillStyle = 'rgba(0, 0, 0, 0.72)';
  ctx.fillRect(x, y, width, height);
  ctx.fillStyle = EXPRESSION_COLORS[face.expression];
  ctx.textBaseline = 'middle';
  ctx.fillText(text, x + padding, y + height / 2);
}

/** Draws heat maps, boxes and labels for `faces` over what `ctx` holds. */
export function drawOverlay(ctx: CanvasRenderingContext2D, faces: readonly OverlayFace[], options: OverlayOptions): void {
  for (const face of faces) {
    if (face.saliency !== undefined) drawHeatmap(ctx, face, face.saliency, options.mirrored);
  }
  for (const face of faces) {
    const box = options.mirrored ? mirrorBox(face.box, ctx.canvas.width) : face.box;
    ctx.strokeStyle = EXPRESSION_COLORS[face.expression];
    ctx.lineWidth = 3 * options.scale;
    ctx.strokeRect(box.x, box.y, box.width, box.height);
    drawLabel(ctx, face, box, options.scale);
  }
}
