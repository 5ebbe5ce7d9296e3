import { cropRegion, type Expression, type FaceBox } from '@fer/core';
import type { Saliency } from '../pipeline/analyze';
import { mirrorBox } from './geometry';
import { heatmapRgba } from './heatmap';
import { placeLabels, type Rect } from './labelPlacement';
import { EXPRESSION_COLORS } from './palette';

/** What the overlay shows for one face, in frame pixels. */
export interface OverlayFace {
  box: FaceBox;
  expression: Expression;
  confidence: number;
  /** Shown before the label when there are several faces, to match the bar charts. */
  number?: number;
  saliency?: Saliency | undefined;
  /** The label is a guess (see lib/confidence/unsure.ts): said in the label, box dashed. */
  unsure?: boolean;
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

/** Label text: black on the expression's colour, >= 4.5:1 for every colour of the palette (test/render.test.ts). */
export const LABEL_TEXT_COLOR = '#000000';

/** What a face's label says: number, expression, percentage, and "unsure" when the label is a guess. */
export function labelText(face: Pick<OverlayFace, 'number' | 'expression' | 'confidence' | 'unsure'>): string {
  const number = face.number === undefined ? '' : `${face.number}  `;
  return `${number}${face.unsure === true ? 'unsure: ' : ''}${face.expression} ${Math.round(face.confidence * 100)}%`;
}

/**
 * Labels on opaque backgrounds in the box's colour (over video, a translucent one gave no
 * dependable contrast), placed by placeLabels so they neither overlap nor leave the frame.
 */
function drawLabels(ctx: CanvasRenderingContext2D, faces: readonly OverlayFace[], boxes: readonly FaceBox[], scale: number): DrawnLabel[] {
  // Smaller on a small picture (a phone), where large labels would hide the faces they name.
  const cssWidth = ctx.canvas.width / Math.max(scale, 1e-6);
  const fontPx = Math.round((cssWidth < 480 ? 15 : 19) * scale);
  const padding = Math.round(4 * scale);
  ctx.font = `600 ${fontPx}px system-ui, sans-serif`;
  const texts = faces.map(labelText);
  const sizes = texts.map((text) => ({ width: Math.ceil(ctx.measureText(text).width) + 2 * padding, height: fontPx + 2 * padding }));
  const spots = placeLabels(boxes, sizes, ctx.canvas.width, ctx.canvas.height);
  ctx.textBaseline = 'middle';
  return faces.map((face, i) => {
    const spot = spots[i] as Rect;
    const text = texts[i] as string;
    ctx.fillStyle = EXPRESSION_COLORS[face.expression];
    ctx.fillRect(spot.x, spot.y, spot.width, spot.height);
    ctx.fillStyle = LABEL_TEXT_COLOR;
    ctx.fillText(text, spot.x + padding, spot.y + spot.height / 2);
    return { ...spot, text };
  });
}

/** A label as drawn, in canvas pixels: the views publish these (`data-labels`) for tests and automation. */
export interface DrawnLabel extends Rect {
  text: string;
}

/** Draws heat maps, boxes and labels for `faces` over what `ctx` holds; returns the labels' places. */
export function drawOverlay(ctx: CanvasRenderingContext2D, faces: readonly OverlayFace[], options: OverlayOptions): DrawnLabel[] {
  for (const face of faces) {
    if (face.saliency !== undefined) drawHeatmap(ctx, face, face.saliency, options.mirrored);
  }
  const boxes = faces.map((face) => (options.mirrored ? mirrorBox(face.box, ctx.canvas.width) : face.box));
  faces.forEach((face, i) => {
    const box = boxes[i] as FaceBox;
    ctx.strokeStyle = EXPRESSION_COLORS[face.expression];
    ctx.lineWidth = 3 * options.scale;
    // Dashed when unsure, so the box itself does not look like a firm answer.
    ctx.setLineDash(face.unsure === true ? [8 * options.scale, 6 * options.scale] : []);
    ctx.strokeRect(box.x, box.y, box.width, box.height);
  });
  ctx.setLineDash([]);
  return drawLabels(ctx, faces, boxes, options.scale);
}
