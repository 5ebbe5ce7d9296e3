/**
 * Small faces for audience mode. BlazeFace short range sees the frame at 128x128: in a 720p view
 * of a room, a face 100-300 px tall shrinks to 10-30 px there, below what it finds reliably (it
 * was made for a face near a phone). Running it on overlapping tiles as well as on the whole
 * frame gives each face 2-3x more model pixels; duplicates from tile overlaps are then merged.
 */
import { iou } from '../tracking/faceTracker.js';
import type { PixelRect } from '@fer/core';
import { frameSize, type DetectedFace, type FaceDetectorHandle, type VideoFrameSource } from './faceDetector.js';

/**
 * `columns` x `rows` tiles covering a width x height frame, each grown by `overlap` (a fraction of
 * its side) into its neighbours so a face on a border is whole in at least one tile.
 */
export function tileGrid(width: number, height: number, columns: number, rows: number, overlap: number): PixelRect[] {
  const tileWidth = Math.min(width, Math.round((width / columns) * (1 + overlap)));
  const tileHeight = Math.min(height, Math.round((height / rows) * (1 + overlap)));
  const tiles: PixelRect[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      // Spread the tiles evenly from edge to edge.
      const x = columns === 1 ? 0 : Math.round(((width - tileWidth) * c) / (columns - 1));
      const y = rows === 1 ? 0 : Math.round(((height - tileHeight) * r) / (rows - 1));
      tiles.push({ x, y, width: tileWidth, height: tileHeight });
    }
  }
  return tiles;
}

/** Share of the smaller box that lies inside the other: 1 when one contains the other. */
export function overlapOfSmaller(a: DetectedFace['box'], b: DetectedFace['box']): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  return (width * height) / Math.min(a.width * a.height, b.width * b.height);
}

/**
 * Merges detections of the same face from several passes. Of boxes overlapping by `minIou`, the
 * best-scoring one stays; of a box mostly inside another (`minContained`: part of a face cut by a
 * tile edge, which can score high), the larger one stays, as it holds the whole face.
 */
export function mergeDetections(faces: readonly DetectedFace[], minIou = 0.3, minContained = 0.6): DetectedFace[] {
  const kept: DetectedFace[] = [];
  const area = (f: DetectedFace) => f.box.width * f.box.height;
  for (const face of [...faces].sort((a, b) => b.score - a.score)) {
    const same = kept.findIndex((k) => iou(k.box, face.box) >= minIou);
    if (same !== -1) continue;
    const part = kept.findIndex((k) => overlapOfSmaller(k.box, face.box) >= minContained);
    if (part === -1) kept.push(face);
    else if (area(face) > area(kept[part] as DetectedFace)) kept[part] = face;
  }
  return kept;
}

export interface TiledDetectionOptions {
  columns: number;
  rows: number;
  /** Fraction of a tile's side it reaches into its neighbours. */
  overlap: number;
}

/** Audience default: 3x2 tiles plus the whole frame (for faces close to the camera, bigger than a tile). */
export const AUDIENCE_TILES: TiledDetectionOptions = { columns: 3, rows: 2, overlap: 0.3 };

/** Detects faces on the whole frame and on tiles of it, in frame pixels, merged. */
export class TiledDetector {
  constructor(
    private readonly detector: FaceDetectorHandle,
    private readonly options: TiledDetectionOptions = AUDIENCE_TILES,
  ) {}

  detect(frame: VideoFrameSource, timestampMs: number): DetectedFace[] {
    return mergeDetections([...this.detector.detectForVideo(frame, timestampMs), ...this.facesOnTiles(frame, timestampMs)]);
  }

  /** Faces found on the tiles alone, unmerged: for a caller that has already looked at the whole frame (photo mode). */
  facesOnTiles(frame: VideoFrameSource, timestampMs: number): DetectedFace[] {
    const [width, height] = frameSize(frame);
    const tiles = tileGrid(width, height, this.options.columns, this.options.rows, this.options.overlap);
    // The detector moves repeated timestamps on by itself; the graph keeps no state between frames.
    return tiles.flatMap((tile) => this.detector.detectForVideo(frame, timestampMs, tile));
  }
}
