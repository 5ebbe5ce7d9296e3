/**
 * Small faces in photos. BlazeFace short range sees an image scaled to 128 px on its longer side;
 * in a 1200x700 group photo, faces 200-260 px tall become 21-28 px there and half of them were
 * missed, while the same faces larger were all found. So photo mode also runs the detector on
 * tiles (lib/detection/tiledDetection.ts, as audience mode does), and tells the user below which
 * face size a face may still be missed: about MIN_MODEL_FACE_PX at the detector's input, seen
 * through the tile (the largest zoom it gets).
 */
import type { TiledDetectionOptions } from './tiledDetection.js';
import { tileGrid } from './tiledDetection.js';

/** The detector's input side, in pixels (BlazeFace short range). */
export const DETECTOR_INPUT_PX = 128;
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
