/**
 * Small faces in photos. BlazeFace short range sees an image scaled to 128 px on its longer side;
 * in a 1200x700 group photo, faces 200-260 px tall become 21-28 px there and half of them were
 * missed, while the same faces larger were all found. So photo mode also runs the detector on
 * tiles (lib/detection/tiledDetection.ts, as audience mode does), and tells the user below which
 * face size a face may still be missed: about MIN_MODEL_FACE_PX at the detector's input, seen
 * through the tile (the largest zoom it gets).
 */
import { iou } from '../tracking/faceTracker.js';
import { DETECTOR_INPUT_PX, type DetectedFace } from './faceDetector.js';
import type { TiledDetectionOptions } from './tiledDetection.js';
import { overlapOfSmaller, tileGrid } from './tiledDetection.js';

/** A face this many pixels tall at the detector's input is found; 21-28 px were found about half of the time. */
export const MIN_MODEL_FACE_PX = 30;

/** Photo mode's tiles: 3x2, overlapping by 30%, plus the whole photo (audience mode's layout). */
export const PHOTO_TILES: TiledDetectionOptions = { columns: 3, rows: 2, overlap: 0.3 };

/** The face height in image pixels below which faces in a `width` x `height` image tiled by `tiles` may be missed. */
export function smallestReliableFace(width: number, height: number, tiles: TiledDetectionOptions = PHOTO_TILES): number {
  const tile = tileGrid(width, height, tiles.columns, tiles.rows, tiles.overlap)[0];
  const side = tile === undefined ? Math.max(width, height) : Math.max(tile.width, tile.height);
  return Math.ceil((MIN_MODEL_FACE_PX * side) / DETECTOR_INPUT_PX);
}

/**
 * The whole-image pass's faces, plus the tiled pass's faces that none of them covers. A face
 * found on the whole image keeps that box: a tile that cuts a face can give a confident box of
 * part of it (measured: a 220 px face's box moved by a quarter of its side), which the tiled
 * merge, keeping the best score, may prefer. Tiles are for faces the whole-image pass missed.
 */
export function addMissedFaces(whole: readonly DetectedFace[], tiled: readonly DetectedFace[]): DetectedFace[] {
  // Part of a whole-image face, or the same face: a neighbour that only touches it stays.
  const covered = (face: DetectedFace) => whole.some((w) => iou(w.box, face.box) > 0.1 || overlapOfSmaller(w.box, face.box) > 0.3);
  return [...whole, ...tiled.filter((face) => !covered(face))];
}
